// Reads and validates the course material authored in the repository (content/), without touching
// the database. Every problem is an AppError("invalid_input") whose message starts with the file.
//
//   content/lab-templates/<slug>.json          { slug, title, panes: [{ protocol, label, settings }] }
//   content/courses/<course>/course.md         front matter: title, summary, position
//   content/courses/<course>/NN-<page>.md      front matter: title, lab (a template slug); NN orders pages
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, isAbsolute, join, relative } from "node:path";
import matter from "gray-matter";
import { z } from "zod";
import type { Protocol } from "../db/generated/sqlite/enums.ts";
import { AppError, isAppError } from "../errors.ts";
import { parsePaneSettings } from "../labs/template-settings.ts";
import { parseInput } from "../labs/validation.ts";

export type ContentPane = { protocol: Protocol; label: string; position: number; settings: string };
export type ContentTemplate = { file: string; slug: string; title: string; panes: ContentPane[] };
export type ContentPage = { file: string; slug: string; title: string; position: number; lab: string | null; markdown: string };
export type ContentCourse = { file: string; slug: string; title: string; summary: string; position: number; pages: ContentPage[] };
export type Content = { templates: ContentTemplate[]; courses: ContentCourse[] };

export const slugPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const slug = z.string().regex(slugPattern, "must be lowercase letters, digits and single hyphens");
const pageFilePattern = /^(\d{1,4})-(.+)\.md$/;

const templateSchema = z.strictObject({
  slug,
  title: z.string().trim().min(1, "must not be empty").max(200, "is too long"),
  panes: z
    .array(
      z.strictObject({
        protocol: z.enum(["ssh", "rdp", "vnc"]),
        label: z.string().trim().min(1, "must not be empty").max(100, "is too long"),
        settings: z.unknown().optional(),
      }),
    )
    .min(1, "must list at least one pane"),
});

const courseSchema = z.strictObject({
  title: z.string().trim().min(1, "must not be empty").max(200, "is too long"),
  summary: z.string().trim().max(1000, "is too long").default(""),
  position: z.number().int("must be a whole number").default(0),
});

const pageSchema = z.strictObject({
  title: z.string().trim().min(1, "must not be empty").max(200, "is too long"),
  lab: slug.optional(),
});

/** A path as people should see it in an error: relative to the working directory when inside it. */
function shown(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
}

/** Throws AppError("invalid_input") whose message starts with the file at fault. */
export function contentError(file: string, problem: string, fields?: Record<string, string>): never {
  throw new AppError("invalid_input", `${shown(file)}: ${problem}`, fields);
}

function validate<S extends z.ZodType>(schema: S, input: unknown, file: string, what: string): z.output<S> {
  try {
    return parseInput(schema, input, `invalid ${what}`);
  } catch (error) {
    if (isAppError(error)) contentError(file, error.message, error.fields && { ...error.fields });
    throw error;
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

function isDirectory(path: string): boolean {
  return statSync(path).isDirectory();
}

/** Front matter and body of a Markdown file. Only YAML front matter: gray-matter would eval `---js`. */
function readMarkdown(file: string): { data: unknown; body: string } {
  const text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  if (!/^---\r?\n/.test(text)) contentError(file, "must start with a YAML front matter block (a line with ---)");
  const refuse = () => contentError(file, "front matter must be YAML");
  try {
    const parsed = matter(text, { language: "yaml", engines: { javascript: refuse, js: refuse, json: refuse, coffee: refuse } });
    return { data: parsed.data, body: parsed.content.trim() };
  } catch (error) {
    if (isAppError(error)) throw error;
    const reason = (error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error)).replace(/:\s*$/, "");
    contentError(file, `front matter is not valid YAML (${reason})`);
  }
}

function readTemplate(file: string): ContentTemplate {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    contentError(file, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const template = validate(templateSchema, json, file, "lab template");
  if (template.slug !== basename(file, ".json")) {
    contentError(file, `slug "${template.slug}" must match the file name`, { slug: "must match the file name" });
  }
  const seen = new Set<Protocol>();
  const panes = template.panes.map((pane, position): ContentPane => {
    if (seen.has(pane.protocol)) contentError(file, `more than one ${pane.protocol} pane`, { [`panes.${position}.protocol`]: "is repeated" });
    seen.add(pane.protocol);
    try {
      return { protocol: pane.protocol, label: pane.label, position, settings: JSON.stringify(parsePaneSettings(pane.protocol, pane.settings)) };
    } catch (error) {
      if (!isAppError(error)) throw error;
      const fields = Object.fromEntries(Object.entries(error.fields ?? {}).map(([key, problem]) => [`panes.${position}.settings.${key}`, problem]));
      contentError(file, `pane ${position + 1} (${pane.protocol}): ${error.message}`, fields);
    }
  });
  return { file, slug: template.slug, title: template.title, panes };
}

function readCourse(dir: string): ContentCourse {
  const courseFile = join(dir, "course.md");
  const slugOfDir = basename(dir);
  if (!slugPattern.test(slugOfDir)) contentError(dir, "a course folder name must be lowercase letters, digits and single hyphens");
  if (!listDir(dir).includes("course.md")) contentError(courseFile, "missing: every course folder needs a course.md");
  const course = validate(courseSchema, readMarkdown(courseFile).data, courseFile, "front matter");

  const pages: ContentPage[] = [];
  for (const name of listDir(dir)) {
    if (name === "course.md" || !name.endsWith(".md")) continue;
    const file = join(dir, name);
    const match = pageFilePattern.exec(name);
    const pageSlug = match?.[2];
    if (!match || !pageSlug || !slugPattern.test(pageSlug)) {
      contentError(file, "a page file must be named NN-page-slug.md (NN orders the pages; the slug is lowercase letters, digits and hyphens)");
    }
    const position = Number(match[1]);
    const clash = pages.find((page) => page.slug === pageSlug || page.position === position);
    if (clash) {
      contentError(file, clash.slug === pageSlug ? `duplicate page slug "${pageSlug}" (also ${shown(clash.file)})` : `duplicate page number ${match[1]} (also ${shown(clash.file)})`);
    }
    const { data, body } = readMarkdown(file);
    const page = validate(pageSchema, data, file, "front matter");
    pages.push({ file, slug: pageSlug, title: page.title, position, lab: page.lab ?? null, markdown: body });
  }
  pages.sort((a, b) => a.position - b.position);
  return { file: courseFile, slug: slugOfDir, title: course.title, summary: course.summary, position: course.position, pages };
}

/** Reads and validates everything under `dir`; throws on the first problem, naming its file. */
export function readContent(dir: string): Content {
  const templatesDir = join(dir, "lab-templates");
  const templates = listDir(templatesDir)
    .filter((name) => name.endsWith(".json"))
    .map((name) => readTemplate(join(templatesDir, name)));

  const coursesDir = join(dir, "courses");
  const courses = listDir(coursesDir)
    .map((name) => join(coursesDir, name))
    .filter(isDirectory)
    .map(readCourse);
  return { templates, courses };
}
