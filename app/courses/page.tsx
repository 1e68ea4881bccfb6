import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "../../server/auth/session.ts";
import { listCourses } from "../../server/courses/list-courses.ts";

export const metadata: Metadata = { title: "Courses" };

export default async function CoursesPage() {
  await requireUser("/courses");
  const courses = await listCourses();
  return (
    <div className="container">
      <h1>Courses</h1>
      {courses.length === 0 ? (
        <p className="muted">No courses yet. An administrator can import them with the content importer.</p>
      ) : (
        <ul className="course-list">
          {courses.map((course) => (
            <li key={course.slug} className="card course-card">
              <h2>
                <Link href={`/courses/${course.slug}`}>{course.title}</Link>
              </h2>
              {course.summary && <p>{course.summary}</p>}
              <p className="muted">{course.pageCount === 1 ? "1 page" : `${course.pageCount} pages`}</p>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
