import Link from "next/link";
import { getCurrentUser } from "../server/auth/session.ts";
import { signOutAction } from "./sign-out-action.ts";

export async function SiteHeader() {
  const user = await getCurrentUser();
  return (
    <header className="site-header">
      <div className="site-header-inner">
        <Link href="/" className="brand">
          <span className="brand-mark" aria-hidden="true">
            ▍
          </span>
          Labdeck
        </Link>
        <nav aria-label="Main" className="site-nav">
          <Link href="/courses">Courses</Link>
        </nav>
        <div className="account">
          {user ? (
            <>
              <span className="account-name">
                {user.name ?? user.email}
                <span className="role-badge">{user.role}</span>
              </span>
              <form action={signOutAction}>
                <button type="submit" className="button button-quiet">
                  Sign out
                </button>
              </form>
            </>
          ) : (
            <Link href="/sign-in" className="button button-quiet">
              Sign in
            </Link>
          )}
        </div>
      </div>
    </header>
  );
}
