import Link from "next/link";

export default function NotFound() {
  return (
    <div className="container narrow status-page">
      <p className="eyebrow">404</p>
      <h1>Page not found</h1>
      <p>There is no course or page at this address. It may have been renamed or removed.</p>
      <p>
        <Link href="/courses" className="button">
          See all courses
        </Link>
      </p>
    </div>
  );
}
