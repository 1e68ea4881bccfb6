import assert from "node:assert/strict";
import { before, test } from "node:test";
import { importContent } from "../content/import-content.ts";
import { describeOnDatabases } from "../testing/databases.ts";
import { getCoursePage } from "./get-course-page.ts";
import { getCourse } from "./get-course.ts";
import { listCourses } from "./list-courses.ts";

describeOnDatabases("course queries", (database) => {
  before(async () => {
    await importContent();
    // A second course, placed before the demo one, with a page that has no lab.
    await database().db.course.create({
      data: {
        slug: "aaa-orientation",
        title: "Orientation",
        position: 0,
        pages: { create: [{ slug: "welcome", title: "Welcome", position: 1, markdown: "Hello" }] },
      },
    });
  });

  test("listCourses orders by position and counts pages", async () => {
    const courses = await listCourses();
    assert.deepEqual(
      courses.map((course) => [course.slug, course.pageCount]),
      [
        ["aaa-orientation", 1],
        ["intro-to-linux", 4],
      ],
    );
    assert.equal(courses[1]?.title, "Introduction to Linux");
    assert.ok(courses[1]?.summary);
  });

  test("getCourse gives the outline in order, marking pages with a lab", async () => {
    const course = await getCourse({ courseSlug: "intro-to-linux" });
    assert.ok(course);
    assert.deepEqual(
      course.pages.map((page) => page.slug),
      ["first-steps", "files-and-permissions", "processes", "remote-desktop"],
    );
    assert.ok(course.pages.every((page) => page.hasLab));
    assert.equal((await getCourse({ courseSlug: "aaa-orientation" }))?.pages[0]?.hasLab, false);
    assert.equal(await getCourse({ courseSlug: "nope" }), null);
  });

  test("getCoursePage gives the page, its neighbours and its lab template", async () => {
    const first = await getCoursePage({ courseSlug: "intro-to-linux", pageSlug: "first-steps" });
    assert.ok(first);
    assert.equal(first.previous, null);
    assert.deepEqual(first.next, { slug: "files-and-permissions", title: "Files and permissions" });
    assert.equal(first.pageNumber, 1);
    assert.equal(first.pageCount, 4);
    assert.deepEqual(first.lab, { templateSlug: "linux-shell", title: "Linux shell", panes: [{ protocol: "ssh", label: "Terminal" }] });
    assert.match(first.page.markdown, /pwd/);

    const last = await getCoursePage({ courseSlug: "intro-to-linux", pageSlug: "remote-desktop" });
    assert.ok(last);
    assert.equal(last.previous?.slug, "processes");
    assert.equal(last.next, null);
    assert.deepEqual(
      last.lab?.panes.map((pane) => pane.label),
      ["Desktop (RDP)", "Desktop (VNC)", "Terminal"],
    );

    const noLab = await getCoursePage({ courseSlug: "aaa-orientation", pageSlug: "welcome" });
    assert.equal(noLab?.lab, null);
  });

  test("getCoursePage is null for an unknown course or page, or a page of another course", async () => {
    assert.equal(await getCoursePage({ courseSlug: "intro-to-linux", pageSlug: "nope" }), null);
    assert.equal(await getCoursePage({ courseSlug: "nope", pageSlug: "first-steps" }), null);
    assert.equal(await getCoursePage({ courseSlug: "aaa-orientation", pageSlug: "first-steps" }), null);
  });
});
