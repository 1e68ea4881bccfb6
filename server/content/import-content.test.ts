import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { AppError } from "../errors.ts";
import { projectRoot } from "../project-root.ts";
import { describeOnDatabases } from "../testing/databases.ts";
import { importContent } from "./import-content.ts";

const realContent = join(projectRoot, "content");
const tempDirs: string[] = [];

/** A private copy of the repository's content/ that a test may change. */
function copyOfContent(): string {
  const dir = mkdtempSync(join(tmpdir(), "labdeck-content-"));
  tempDirs.push(dir);
  cpSync(realContent, dir, { recursive: true });
  return dir;
}

after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function rejectsNaming(file: string, problem: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
    assert.equal(error.code, "invalid_input");
    assert.ok(error.message.includes(file), `"${error.message}" should name ${file}`);
    assert.match(error.message, problem);
    return true;
  };
}

describeOnDatabases("importContent", (database) => {
  test("imports the repository's templates, course and pages in order", async () => {
    const summary = await importContent();
    assert.deepEqual(summary.templates, { created: 2, updated: 0, unchanged: 0 });
    assert.equal(summary.courses.created, 1);
    assert.ok(summary.pages.created >= 4);

    const { db } = database();
    const shell = await db.labTemplate.findUniqueOrThrow({ where: { slug: "linux-shell" }, include: { panes: { orderBy: { position: "asc" } } } });
    assert.deepEqual(
      shell.panes.map((pane) => [pane.protocol, pane.label]),
      [["ssh", "Terminal"]],
    );
    assert.deepEqual(
      { fontSize: 14, colorScheme: "gray-black", scrollback: 2000 },
      (({ fontSize, colorScheme, scrollback }) => ({ fontSize, colorScheme, scrollback }))(JSON.parse(shell.panes[0]?.settings ?? "{}")),
    );
    const desktop = await db.labTemplate.findUniqueOrThrow({ where: { slug: "linux-desktop" }, include: { panes: { orderBy: { position: "asc" } } } });
    assert.deepEqual(
      desktop.panes.map((pane) => [pane.protocol, pane.label]),
      [
        ["rdp", "Desktop (RDP)"],
        ["vnc", "Desktop (VNC)"],
        ["ssh", "Terminal"],
      ],
    );
    const rdp = JSON.parse(desktop.panes[0]?.settings ?? "{}") as Record<string, unknown>;
    assert.equal(rdp.security, "any");
    assert.equal(rdp.ignoreCert, true);
    assert.equal(rdp.resizeMethod, "display-update");

    const course = await db.course.findUniqueOrThrow({
      where: { slug: "intro-to-linux" },
      include: { pages: { orderBy: { position: "asc" }, include: { labTemplate: { select: { slug: true } } } } },
    });
    assert.equal(course.title, "Introduction to Linux");
    assert.ok(course.summary.length > 0);
    assert.deepEqual(
      course.pages.slice(0, 4).map((page) => [page.slug, page.labTemplate?.slug]),
      [
        ["first-steps", "linux-shell"],
        ["files-and-permissions", "linux-shell"],
        ["processes", "linux-shell"],
        ["remote-desktop", "linux-desktop"],
      ],
    );
    const first = course.pages[0];
    assert.ok(first && first.markdown.includes("echo hello > greeting.txt"));
    assert.ok(!first.markdown.startsWith("---"), "front matter is not part of the body");
  });

  test("importing again changes nothing", async () => {
    const { db } = database();
    const before = await db.coursePage.findMany({ orderBy: { id: "asc" }, select: { id: true, updatedAt: true } });
    const templatesBefore = await db.labTemplatePane.findMany({ orderBy: { id: "asc" }, select: { id: true } });
    const summary = await importContent();
    assert.deepEqual(summary.templates, { created: 0, updated: 0, unchanged: 2 });
    assert.deepEqual(summary.courses, { created: 0, updated: 0, unchanged: 1 });
    assert.deepEqual(summary.pages, { created: 0, updated: 0, unchanged: before.length, removed: 0 });
    assert.deepEqual(await db.coursePage.findMany({ orderBy: { id: "asc" }, select: { id: true, updatedAt: true } }), before);
    assert.deepEqual(await db.labTemplatePane.findMany({ orderBy: { id: "asc" }, select: { id: true } }), templatesBefore);
  });

  test("a changed page is updated, a page removed from disk disappears, panes are replaced", async () => {
    const dir = copyOfContent();
    const courseDir = join(dir, "courses", "intro-to-linux");
    unlinkSync(join(courseDir, "03-processes.md"));
    const firstFile = join(courseDir, "01-first-steps.md");
    writeFileSync(firstFile, readFileSync(firstFile, "utf8").replace("title: First steps in the shell", "title: Your first steps"));
    const templateFile = join(dir, "lab-templates", "linux-shell.json");
    const template = JSON.parse(readFileSync(templateFile, "utf8")) as { panes: { settings: Record<string, unknown> }[] };
    template.panes[0]!.settings.fontSize = 16;
    writeFileSync(templateFile, JSON.stringify(template));

    const summary = await importContent({ dir });
    assert.equal(summary.pages.removed, 1);
    assert.equal(summary.pages.updated, 1);
    assert.deepEqual(summary.templates, { created: 0, updated: 1, unchanged: 1 });

    const { db } = database();
    const pages = await db.coursePage.findMany({ where: { course: { slug: "intro-to-linux" } }, orderBy: { position: "asc" } });
    assert.ok(!pages.some((page) => page.slug === "processes"));
    assert.equal(pages.find((page) => page.slug === "first-steps")?.title, "Your first steps");
    const panes = await db.labTemplatePane.findMany({ where: { template: { slug: "linux-shell" } } });
    assert.equal(panes.length, 1);
    assert.equal((JSON.parse(panes[0]?.settings ?? "{}") as { fontSize?: number }).fontSize, 16);

    // And back: the page returns.
    const restored = await importContent();
    assert.equal(restored.pages.created, 1);
    assert.ok(await db.coursePage.findFirst({ where: { slug: "processes" } }));
  });

  test("bad front matter is refused, naming the file, and nothing is written", async () => {
    const dir = copyOfContent();
    const file = join(dir, "courses", "intro-to-linux", "02-files-and-permissions.md");
    writeFileSync(file, "---\nlab: linux-shell\n---\nNo title here.\n");
    const { db } = database();
    const before = await db.coursePage.findMany({ orderBy: { id: "asc" }, select: { id: true, title: true, updatedAt: true } });
    await assert.rejects(importContent({ dir }), rejectsNaming("02-files-and-permissions.md", /title is required/));

    writeFileSync(file, "---\ntitle: [unclosed\n---\nBody\n");
    await assert.rejects(importContent({ dir }), rejectsNaming("02-files-and-permissions.md", /not valid YAML/));

    writeFileSync(file, "---\ntitle: Files\nlabb: linux-shell\n---\nBody\n");
    await assert.rejects(importContent({ dir }), rejectsNaming("02-files-and-permissions.md", /labb is not allowed/));

    // gray-matter would evaluate JavaScript front matter: only YAML is accepted.
    writeFileSync(file, '---js\n{ title: (globalThis.evaluated = "yes") }\n---\nBody\n');
    await assert.rejects(importContent({ dir }), rejectsNaming("02-files-and-permissions.md", /YAML front matter/));
    assert.equal((globalThis as { evaluated?: string }).evaluated, undefined);

    writeFileSync(file, "No front matter at all\n");
    await assert.rejects(importContent({ dir }), rejectsNaming("02-files-and-permissions.md", /front matter/));

    assert.deepEqual(await db.coursePage.findMany({ orderBy: { id: "asc" }, select: { id: true, title: true, updatedAt: true } }), before);
  });

  test("an unknown template, a duplicate slug and bad pane settings are refused, naming the file", async () => {
    const unknownTemplate = copyOfContent();
    const page = join(unknownTemplate, "courses", "intro-to-linux", "03-processes.md");
    writeFileSync(page, readFileSync(page, "utf8").replace("lab: linux-shell", "lab: no-such-template"));
    await assert.rejects(importContent({ dir: unknownTemplate }), rejectsNaming("03-processes.md", /unknown lab template "no-such-template"/));

    const duplicate = copyOfContent();
    const courseDir = join(duplicate, "courses", "intro-to-linux");
    writeFileSync(join(courseDir, "07-processes.md"), "---\ntitle: Processes again\n---\nText\n");
    await assert.rejects(importContent({ dir: duplicate }), rejectsNaming("07-processes.md", /duplicate page slug "processes"/));

    const badSettings = copyOfContent();
    const templateFile = join(badSettings, "lab-templates", "linux-shell.json");
    writeFileSync(templateFile, readFileSync(templateFile, "utf8").replace('"fontSize": 14', '"fontSize": 400'));
    await assert.rejects(importContent({ dir: badSettings }), (error: unknown) => {
      rejectsNaming("linux-shell.json", /fontSize/)(error);
      assert.ok((error as AppError).fields?.["panes.0.settings.fontSize"]);
      return true;
    });
  });
});
