// What the sign-in page says when signing in fails. One text for an unknown email and a wrong
// password, so the page does not reveal who has an account.
export const wrongCredentialsMessage = "Wrong email or password";

/** The message for an Auth.js error type (failed OIDC sign-ins come back as ?error=<type>). */
export function signInErrorMessage(type: string | undefined): string | null {
  switch (type) {
    case undefined:
      return null;
    case "CredentialsSignin":
      return wrongCredentialsMessage;
    case "AccessDenied":
      return "Sign-in was refused: your identity provider must confirm your email address.";
    case "Configuration":
      return "Sign-in is not available right now. Please try again later.";
    default:
      return "Signing in failed. Please try again.";
  }
}
