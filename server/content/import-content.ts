// Loads the repository's course material (content/) into the database. Idempotent: rows that match
// the files are left alone (their updatedAt too, which keys the rendered-Markdown cache), changed rows
// are updated, a template's panes are replaced, and pages that disappeared from disk are removed.
// Everything is read and validated before the first write, so a bad file changes nothing.
import { join } from "node:path";
import { db } from "../db/index.ts";
import { projectRoot } from "../project-root.ts";
import { contentError, readContent, type ContentCourse, type ContentTemplate } from "./read-content.ts";

export type ImportContentOptions = {
  /** The content folder; defaults to the checkout's content/. */
  dir?: string | undefined;
};

export type ImportCounts = { created: number; updated: number; unchanged: number };
export type ImportSummary = {
  templates: ImportCounts;
  courses: ImportCounts;
  pages: ImportCounts & { removed: number };
};

type Tx = Parameters<Parameters<ReturnType<typeof db>["$transaction"]>[0]>[0];

function counts(): ImportCounts {
  return { created: 0, updated: 0, unchanged: 0 };
}

async function importTemplate(tx: Tx, template: ContentTemplate): Promise<keyof ImportCounts> {
  const panes = template.panes.map(({ protocol, label, position, settings }) => ({ protocol, label, position, settings }));
  const existing = await tx.labTemplate.findUnique({
    where: { slug: template.slug },
    select: { id: true, title: true, panes: { select: { protocol: true, label: true, position: true, settings: true }, orderBy: { position: "asc" } } },
  });
  if (!existing) {
    await tx.labTemplate.create({ data: { slug: template.slug, title: template.title, panes: { create: panes } } });
    return "created";
  }
  if (existing.title === template.title && JSON.stringify(existing.panes) === JSON.stringify(panes)) return "unchanged";
  await tx.labTemplatePane.deleteMany({ where: { templateId: existing.id } });
  await tx.labTemplate.update({ where: { id: existing.id }, data: { title: template.title, panes: { create: panes } } });
  return "updated";
}

async function importCourse(tx: Tx, course: ContentCourse, templateIds: ReadonlyMap<string, string>, summary: ImportSummary): Promise<void> {
  const fields = { title: course.title, summary: course.summary, position: course.position };
  const existing = await tx.course.findUnique({
    where: { slug: course.slug },
    select: {
      id: true,
      title: true,
      summary: true,
      position: true,
      pages: { select: { id: true, slug: true, title: true, position: true, markdown: true, labTemplateId: true } },
    },
  });

  let courseId: string;
  if (!existing) {
    courseId = (await tx.course.create({ data: { slug: course.slug, ...fields }, select: { id: true } })).id;
    summary.courses.created++;
  } else {
    courseId = existing.id;
    const same = existing.title === fields.title && existing.summary === fields.summary && existing.position === fields.position;
    if (!same) await tx.course.update({ where: { id: courseId }, data: fields });
    summary.courses[same ? "unchanged" : "updated"]++;
  }

  const stored = new Map((existing?.pages ?? []).map((page) => [page.slug, page]));
  for (const page of course.pages) {
    const data = {
      title: page.title,
      position: page.position,
      markdown: page.markdown,
      labTemplateId: page.lab === null ? null : (templateIds.get(page.lab) ?? null),
    };
    const current = stored.get(page.slug);
    stored.delete(page.slug);
    if (!current) {
      await tx.coursePage.create({ data: { courseId, slug: page.slug, ...data } });
      summary.pages.created++;
    } else if (
      current.title === data.title &&
      current.position === data.position &&
      current.markdown === data.markdown &&
      current.labTemplateId === data.labTemplateId
    ) {
      summary.pages.unchanged++;
    } else {
      await tx.coursePage.update({ where: { id: current.id }, data });
      summary.pages.updated++;
    }
  }
  if (stored.size > 0) {
    const { count } = await tx.coursePage.deleteMany({ where: { courseId, id: { in: [...stored.values()].map((page) => page.id) } } });
    summary.pages.removed += count;
  }
}

/** Imports lab templates, courses and pages from `dir`; returns what changed. */
export async function importContent(options: ImportContentOptions = {}): Promise<ImportSummary> {
  const content = readContent(options.dir ?? join(projectRoot, "content"));
  const client = db();

  // A page may name a template from the files or one already in the database.
  const wanted = new Set(content.courses.flatMap((course) => course.pages.flatMap((page) => (page.lab ? [page.lab] : []))));
  const onDisk = new Set(content.templates.map((template) => template.slug));
  const inDb = await client.labTemplate.findMany({ where: { slug: { in: [...wanted].filter((slug) => !onDisk.has(slug)) } }, select: { slug: true } });
  const known = new Set([...onDisk, ...inDb.map((template) => template.slug)]);
  for (const course of content.courses) {
    for (const page of course.pages) {
      if (page.lab && !known.has(page.lab)) {
        contentError(page.file, `unknown lab template "${page.lab}"`, { lab: "is not a known lab template" });
      }
    }
  }

  const summary: ImportSummary = { templates: counts(), courses: counts(), pages: { ...counts(), removed: 0 } };
  for (const template of content.templates) {
    summary.templates[await client.$transaction((tx) => importTemplate(tx, template))]++;
  }
  const templateIds = new Map(
    (await client.labTemplate.findMany({ where: { slug: { in: [...wanted] } }, select: { id: true, slug: true } })).map((t) => [t.slug, t.id]),
  );
  for (const course of content.courses) {
    await client.$transaction((tx) => importCourse(tx, course, templateIds, summary));
  }
  return summary;
}
