import { db } from "../db/index.ts";

export type CourseOutlinePage = { slug: string; title: string; hasLab: boolean };
export type CourseOutline = { slug: string; title: string; summary: string; pages: CourseOutlinePage[] };

/** A course and its pages in order, or null when there is no such course. */
export async function getCourse(options: { courseSlug: string }): Promise<CourseOutline | null> {
  const course = await db().course.findUnique({
    where: { slug: options.courseSlug },
    select: {
      slug: true,
      title: true,
      summary: true,
      pages: { orderBy: [{ position: "asc" }, { slug: "asc" }], select: { slug: true, title: true, labTemplateId: true } },
    },
  });
  if (!course) return null;
  return {
    slug: course.slug,
    title: course.title,
    summary: course.summary,
    pages: course.pages.map(({ slug, title, labTemplateId }) => ({ slug, title, hasLab: labTemplateId !== null })),
  };
}
