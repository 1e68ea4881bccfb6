/** Where the app goes after signing in when no (acceptable) callbackUrl was given. */
export const defaultCallbackPath = "/courses";

/**
 * `value` if it is a path on this site ("/courses/x?y#z"), else the default. Absolute URLs,
 * protocol-relative ("//evil.example") and backslash tricks ("/\evil.example") are refused, so a
 * sign-in link cannot send people elsewhere.
 */
export function safeCallbackPath(value: unknown, fallback: string = defaultCallbackPath): string {
  if (typeof value !== "string" || value.length > 2000) return fallback;
  if (!value.startsWith("/") || value.startsWith("//") || value.includes("\\")) return fallback;
  // Control characters and whitespace are stripped by URL parsers and could turn "/ /x" into "//x".
  if (/[\u0000-\u0020\u007f]/.test(value)) return fallback;
  try {
    const base = "http://labdeck.invalid";
    const url = new URL(value, base);
    if (url.origin !== base) return fallback;
    // Back to the sign-in page (or Auth.js's endpoints) would loop.
    if (/^\/(sign-in|api\/auth)(\/|$)/.test(url.pathname)) return fallback;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return fallback;
  }
}
