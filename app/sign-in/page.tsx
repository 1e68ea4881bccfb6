import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { oidcProviderName } from "../../server/auth/auth.ts";
import { safeCallbackPath } from "../../server/auth/callback-url.ts";
import { getCurrentUser } from "../../server/auth/session.ts";
import { signInWithOidc } from "./actions.ts";
import { signInErrorMessage } from "./messages.ts";
import { SignInForm } from "./sign-in-form.tsx";

export const metadata: Metadata = { title: "Sign in" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const callbackPath = safeCallbackPath(first(params.callbackUrl));
  if (await getCurrentUser()) redirect(callbackPath);
  const oidcName = oidcProviderName();

  return (
    <div className="container narrow">
      <div className="card sign-in">
        <h1>Sign in</h1>
        <p className="muted">Sign in to open your courses and labs.</p>
        <SignInForm callbackPath={callbackPath} initialError={signInErrorMessage(first(params.error))} />
        {oidcName && (
          <>
            <p className="divider">
              <span>or</span>
            </p>
            <form action={signInWithOidc}>
              <input type="hidden" name="callbackUrl" value={callbackPath} />
              <button type="submit" className="button button-quiet button-wide">
                Continue with {oidcName}
              </button>
            </form>
          </>
        )}
      </div>
    </div>
  );
}
