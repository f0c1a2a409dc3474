/**
 * Safe text for the preview's pages. Every string that comes from a spec (names, descriptions,
 * legend formats, PromQL) or from a Prometheus (label values) passes through one of these.
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };

/** Text for an HTML element's content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * JSON for a `<script type="application/json">` block: `<`, `>` and `&` become \u escapes so
 * no string can close the script element or open a comment, and U+2028/U+2029 are escaped for
 * older parsers. JSON.parse reads it back unchanged.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * A relative link to a page of the site. Page paths are built from pipeline and team names
 * (`[a-z0-9-]`, validated by the spec) but are still percent-encoded per segment.
 */
export function hrefTo(fromPage: string, toPage: string): string {
  const depth = fromPage.split("/").length - 1;
  return `${"../".repeat(depth)}${toPage.split("/").map(encodeURIComponent).join("/")}`;
}

/**
 * A link from a spec (a runbook URL) as an href: web and mail URLs and relative paths only,
 * so a `javascript:` or `data:` URL in a spec cannot run when a reader clicks it.
 */
export function safeHref(url: string): string | undefined {
  const scheme = /^\s*([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
  return scheme === undefined || scheme === "http" || scheme === "https" || scheme === "mailto" ? url : undefined;
}
