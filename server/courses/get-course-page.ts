import type { Protocol } from "../db/generated/sqlite/enums.ts";
import { db } from "../db/index.ts";

export type PageLink = { slug: string; title: string };

export type CoursePageView = {
  course: { slug: string; title: string };
  page: { id: string; slug: string; title: string; markdown: string; updatedAt: Date };
  /** 1-based place of the page in its course, and the course's page count. */
  pageNumber: number;
  pageCount: number;
  previous: PageLink | null;
  next: PageLink | null;
  /** The page's lab template, its panes in the template's order; null for a page without a lab. */
  lab: { templateSlug: string; title: string; panes: { protocol: Protocol; label: string }[] } | null;
};

/** One page of a course with its neighbours and lab template, or null when either slug is unknown. */
export async function getCoursePage(options: { courseSlug: string; pageSlug: string }): Promise<CoursePageView | null> {
  const row = await db().coursePage.findFirst({
    where: { slug: options.pageSlug, course: { slug: options.courseSlug } },
    select: {
      id: true,
      slug: true,
      title: true,
      markdown: true,
      updatedAt: true,
      course: {
        select: {
          slug: true,
          title: true,
          pages: { orderBy: [{ position: "asc" }, { slug: "asc" }], select: { slug: true, title: true } },
        },
      },
      labTemplate: {
        select: {
          slug: true,
          title: true,
          panes: { orderBy: { position: "asc" }, select: { protocol: true, label: true } },
        },
      },
    },
  });
  if (!row) return null;
  const { pages } = row.course;
  const index = pages.findIndex((page) => page.slug === row.slug);
  const template = row.labTemplate;
  return {
    course: { slug: row.course.slug, title: row.course.title },
    page: { id: row.id, slug: row.slug, title: row.title, markdown: row.markdown, updatedAt: row.updatedAt },
    pageNumber: index + 1,
    pageCount: pages.length,
    previous: pages[index - 1] ?? null,
    next: pages[index + 1] ?? null,
    lab: template && { templateSlug: template.slug, title: template.title, panes: template.panes },
  };
}
