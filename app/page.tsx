import Link from "next/link";
import { getCurrentUser } from "../server/auth/session.ts";

export default async function HomePage() {
  const user = await getCurrentUser();
  return (
    <div className="container">
      <section className="hero">
        <p className="eyebrow">Hands-on courses</p>
        <h1>Read a page, try it on a real machine, right beside it.</h1>
        <p className="lead">
          Labdeck puts a live lab inside every course page: a terminal on your own Linux machine, or a full desktop, in the
          browser. Nothing to install, nothing to break for anyone else.
        </p>
        <p className="actions">
          {user ? (
            <Link href="/courses" className="button">
              Go to your courses
            </Link>
          ) : (
            <>
              <Link href="/sign-in?callbackUrl=%2Fcourses" className="button">
                Sign in
              </Link>
              <Link href="/courses" className="button button-quiet">
                Browse courses
              </Link>
            </>
          )}
        </p>
      </section>
      <section className="features" aria-label="What you get">
        <div className="feature">
          <h2>Text and lab side by side</h2>
          <p>Each page explains one idea and gives you a machine to try it on, without switching windows.</p>
        </div>
        <div className="feature">
          <h2>Terminal or desktop</h2>
          <p>SSH terminals for the command line; RDP and VNC desktops for graphical tools, all through the browser.</p>
        </div>
        <div className="feature">
          <h2>Your own lab</h2>
          <p>Every learner gets their own machine, prepared for the course and kept while you work through it.</p>
        </div>
      </section>
    </div>
  );
}
