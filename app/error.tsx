"use client";

// A server or render failure inside a page: the header stays usable, the page offers a retry.
export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  const digest = error instanceof Error && "digest" in error && typeof error.digest === "string" ? error.digest : null;
  return (
    <div className="container narrow status-page">
      <h1>Something went wrong</h1>
      <p>This page could not be shown. Trying again often helps; if it keeps happening, tell your instructor.</p>
      {digest && (
        <p className="muted">
          Reference: <code>{digest}</code>
        </p>
      )}
      <button type="button" className="button" onClick={() => retry()}>
        Try again
      </button>
    </div>
  );
}
