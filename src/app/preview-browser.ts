/**
 * Headless Chromium for the preview's images: the system browser (Debian's `chromium`
 * package), driven by playwright-core, which downloads nothing. Every request that is not a
 * file of the site is refused, so a page can never reach the network.
 */
import { existsSync } from "node:fs";
import type { Browser, Page } from "playwright-core";

/** The preview could not be made (a Prometheus that does not answer, no Chromium): one line for the user. */
export class PreviewFailure extends Error {
  override readonly name = "PreviewFailure";
}

/** Where Debian's chromium package puts the browser; PIPEMON_CHROMIUM overrides. */
const DEFAULT_CHROMIUM = "/usr/bin/chromium";

/** The width pages are drawn at: Grafana's 24 columns at a common laptop width. */
const VIEWPORT = { width: 1400, height: 900 } as const;

export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.PIPEMON_CHROMIUM || DEFAULT_CHROMIUM;
}

export async function launchChromium(executablePath: string): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new PreviewFailure(`--png needs Chromium at ${executablePath}: install the Debian package 'chromium' (apt-get install chromium), or set PIPEMON_CHROMIUM to the browser's path`);
  }
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath, headless: true, args: ["--disable-gpu", "--font-render-hinting=none"] });
}

/** A page that may load only file: URLs; the others are aborted and recorded in `blocked`. */
export async function offlinePage(browser: Browser, blocked: string[] = []): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, timezoneId: "UTC", locale: "en-US", offline: true });
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file:")) return route.continue();
    blocked.push(url);
    return route.abort("blockedbyclient");
  });
  return context.newPage();
}

/** A PNG of one dashboard page's panels (title, description and grid), loaded in `page` (see offlinePage). */
export async function photograph(page: Page, url: string): Promise<Buffer> {
  await page.goto(url);
  await page.waitForSelector("body[data-ready='1']", { timeout: 30_000 });
  return page.locator(".dashboard").screenshot({ animations: "disabled" });
}
