import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { renderMarkdown, renderPageMarkdown } from "./render-markdown.ts";

describe("renderMarkdown", () => {
  test("drops script tags and raw HTML, keeping plain text", () => {
    const html = renderMarkdown(
      ["Before", "", "<script>alert(1)</script>", "", '<div onclick="steal()">block</div>', "", 'Inline <img src=x onerror="steal()"> and <b>bold</b>.'].join("\n"),
    );
    assert.doesNotMatch(html, /<script|alert\(1\)|onclick|onerror|<img|<div|<b>/i);
    assert.match(html, /<p>Before<\/p>/);
    assert.match(html, /Inline\s+and bold\./);
  });

  test("drops javascript: and data: link targets but keeps safe links", () => {
    const html = renderMarkdown("[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](data:text/html,hi) [d](https://example.org/x) [e](/courses)");
    assert.doesNotMatch(html, /javascript:|data:/i);
    assert.match(html, /<a>a<\/a>/);
    assert.match(html, /<a href="https:\/\/example\.org\/x">d<\/a>/);
    assert.match(html, /<a href="\/courses">e<\/a>/);
  });

  test("keeps GFM tables and fenced code blocks with their language", () => {
    const html = renderMarkdown(["| Command | Meaning |", "|:--|--:|", "| `ls` | list |", "", "```bash", "echo hello > greeting.txt", "```"].join("\n"));
    assert.match(html, /<table>[\s\S]*<th align="left">Command<\/th>[\s\S]*<td align="left"><code>ls<\/code><\/td>[\s\S]*<\/table>/);
    assert.match(html, /<pre><code class="language-bash">echo hello > greeting\.txt\n<\/code><\/pre>/);
  });

  test("escapes text that looks like HTML inside code", () => {
    assert.match(renderMarkdown("`<script>`"), /<code>&#x3C;script><\/code>/);
  });

  test("renderPageMarkdown renders again only when the page changes", () => {
    const page = { id: "page-1", updatedAt: new Date(1000), markdown: "# One" };
    assert.match(renderPageMarkdown(page), /One/);
    assert.match(renderPageMarkdown({ ...page, markdown: "# Stale" }), /One/, "same version: cached");
    assert.match(renderPageMarkdown({ ...page, updatedAt: new Date(2000), markdown: "# Two" }), /Two/);
  });
});
