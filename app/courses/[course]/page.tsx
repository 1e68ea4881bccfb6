import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { requireUser } from "../../../server/auth/session.ts";
import { getCourse } from "../../../server/courses/get-course.ts";

type Params = Promise<{ course: string }>;

const loadCourse = cache((courseSlug: string) => getCourse({ courseSlug }));

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { course } = await params;
  return { title: (await loadCourse(course))?.title ?? "Course not found" };
}

export default async function CoursePage({ params }: { params: Params }) {
  const { course: courseSlug } = await params;
  await requireUser(`/courses/${courseSlug}`);
  const course = await loadCourse(courseSlug);
  if (!course) notFound();
  const first = course.pages[0];
  return (
    <div className="container narrow">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link href="/courses">Courses</Link>
      </nav>
      <h1>{course.title}</h1>
      {course.summary && <p className="lead">{course.summary}</p>}
      {first ? (
        <>
          <p>
            <Link href={`/courses/${course.slug}/${first.slug}`} className="button">
              Start the course
            </Link>
          </p>
          <h2 id="outline">Pages</h2>
          <ol className="outline" aria-labelledby="outline">
            {course.pages.map((page) => (
              <li key={page.slug}>
                <Link href={`/courses/${course.slug}/${page.slug}`}>{page.title}</Link>
                {page.hasLab && <span className="lab-badge">Lab</span>}
              </li>
            ))}
          </ol>
        </>
      ) : (
        <p className="muted">This course has no pages yet.</p>
      )}
    </div>
  );
}
