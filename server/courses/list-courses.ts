import { db } from "../db/index.ts";

export type CourseSummary = { slug: string; title: string; summary: string; pageCount: number };

/** Every course, in catalogue order (position, then title). Any signed-in user may see them all. */
export async function listCourses(): Promise<CourseSummary[]> {
  const rows = await db().course.findMany({
    orderBy: [{ position: "asc" }, { title: "asc" }, { slug: "asc" }],
    select: { slug: true, title: true, summary: true, _count: { select: { pages: true } } },
  });
  return rows.map(({ _count, ...course }) => ({ ...course, pageCount: _count.pages }));
}
