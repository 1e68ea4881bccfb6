// Course Markdown to HTML. Raw HTML in the Markdown is dropped (remark-rehype leaves it out) and the
// result is sanitized with GitHub's schema, which also drops `javascript:` and other unsafe URLs, so
// the HTML can be put into a page as is.
import rehypeSanitize from "rehype-sanitize";
import rehypeStringify from "rehype-stringify";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import remarkRehype from "remark-rehype";
import { unified } from "unified";

const processor = unified().use(remarkParse).use(remarkGfm).use(remarkRehype).use(rehypeSanitize).use(rehypeStringify).freeze();

/** Renders Markdown (GFM) to sanitized HTML. */
export function renderMarkdown(markdown: string): string {
  return String(processor.processSync(markdown));
}

// Pages are rendered when shown; a page's HTML only changes when its row does (the importer leaves
// unchanged rows alone), so id + updatedAt is a sound key.
const cacheLimit = 500;
const cache = new Map<string, string>();

/** renderMarkdown, cached per page version. */
export function renderPageMarkdown(page: { id: string; updatedAt: Date; markdown: string }): string {
  const key = `${page.id}@${page.updatedAt.getTime()}`;
  let html = cache.get(key);
  if (html === undefined) {
    html = renderMarkdown(page.markdown);
    if (cache.size >= cacheLimit) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    cache.set(key, html);
  }
  return html;
}
