/**
 * Links between the preview's pages and to a spec's URLs. Escaping (escapeHtml, scriptJson)
 * is lib/html.ts's, shared with the report.
 */

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
