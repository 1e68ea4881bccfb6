import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { requireUser } from "../../../../server/auth/session.ts";
import { renderPageMarkdown } from "../../../../server/content/render-markdown.ts";
import { getCoursePage } from "../../../../server/courses/get-course-page.ts";
import { findLabForUser } from "../../../../server/labs/find-lab-for-page.ts";
import { LessonSplit } from "../../../_components/lab-viewer/lesson-split.tsx";
import { LabPane } from "./lab-pane.tsx";

type Params = Promise<{ course: string; page: string }>;

const loadPage = cache((courseSlug: string, pageSlug: string) => getCoursePage({ courseSlug, pageSlug }));

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { course, page } = await params;
  const view = await loadPage(course, page);
  return { title: view ? `${view.page.title} · ${view.course.title}` : "Page not found" };
}

export default async function CoursePagePage({ params }: { params: Params }) {
  const { course: courseSlug, page: pageSlug } = await params;
  const user = await requireUser(`/courses/${courseSlug}/${pageSlug}`);
  const view = await loadPage(courseSlug, pageSlug);
  if (!view) notFound();
  const { course, page, lab, previous, next } = view;
  const userLab = lab ? await findLabForUser({ userId: user.id, templateSlug: lab.templateSlug }) : null;
  const courseHref = `/courses/${course.slug}`;

  const lesson = (
    <article className="lesson" aria-labelledby="page-title">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link href="/courses">Courses</Link>
        <span aria-hidden="true"> / </span>
        <Link href={courseHref}>{course.title}</Link>
      </nav>
      <p className="eyebrow">
        Page {view.pageNumber} of {view.pageCount}
      </p>
      <h1 id="page-title">{page.title}</h1>
      {/* Sanitized by renderMarkdown (GitHub's schema; raw HTML dropped). */}
      <div className="prose" dangerouslySetInnerHTML={{ __html: renderPageMarkdown(page) }} />
      <nav aria-label="Course pages" className="pager">
        {previous ? (
          <Link href={`${courseHref}/${previous.slug}`} rel="prev" className="pager-link">
            <span className="pager-label">Previous</span>
            <span>{previous.title}</span>
          </Link>
        ) : (
          <span />
        )}
        {next ? (
          <Link href={`${courseHref}/${next.slug}`} rel="next" className="pager-link pager-next">
            <span className="pager-label">Next</span>
            <span>{next.title}</span>
          </Link>
        ) : (
          <Link href={courseHref} className="pager-link pager-next">
            <span className="pager-label">Done</span>
            <span>Back to the course</span>
          </Link>
        )}
      </nav>
    </article>
  );
  if (!lab) return <div className="lesson-layout">{lesson}</div>;
  return (
    <LessonSplit
      lesson={lesson}
      lab={
        <LabPane
          template={{ title: lab.title, panes: lab.panes }}
          lab={userLab && { id: userLab.id, state: userLab.state }}
          preview={user.role !== "learner"}
        />
      }
    />
  );
}
