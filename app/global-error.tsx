"use client";

// Replaces the whole document when the root layout itself fails (e.g. the database is down).
export default function GlobalError({ retry }: { error: unknown; retry: () => void }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui, sans-serif", maxWidth: "36rem", margin: "4rem auto", padding: "0 1rem", lineHeight: 1.5 }}>
        <title>Something went wrong · Labdeck</title>
        <h1>Something went wrong</h1>
        <p>Labdeck could not show this page. Please try again in a moment.</p>
        <button type="button" onClick={() => retry()}>
          Try again
        </button>
      </body>
    </html>
  );
}
