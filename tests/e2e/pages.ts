// What every end-to-end test does with a page of the built site: list the pages, watch a page for anything
// wrong (console errors, uncaught exceptions, failed requests, HTTP errors, requests to another origin), and
// open one until Framework has settled every cell.

import fs from "node:fs";
import type {Page} from "playwright-core";

/** Every built page as a URL path: dist/index.html is "/", dist/pages/dataset.html is "/pages/dataset". */
export function builtPages(dist: string): string[] {
  return (fs.readdirSync(dist, {recursive: true}) as string[])
    .filter((file) => file.endsWith(".html") && file !== "404.html" && !file.startsWith("_"))
    .map((file) => `/${file.replace(/\\/g, "/").replace(/(^|\/)index\.html$/, "$1").replace(/\.html$/, "")}`)
    .sort();
}

export interface PageProblems {
  consoleErrors: string[];
  failedRequests: string[];
  foreignRequests: string[];
}

/** Records every problem the page reports while it loads and runs (into `problems`, which may be shared). */
export function watch(page: Page, origin: string, problems: PageProblems = {consoleErrors: [], failedRequests: [], foreignRequests: []}): PageProblems {
  page.on("console", (message) => {
    if (message.type() === "error") problems.consoleErrors.push(`${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => problems.consoleErrors.push(`uncaught: ${error.message}`));
  page.on("request", (request) => {
    const url = new URL(request.url());
    // data: and blob: URLs never leave the page; anything else must come from the site itself.
    if (url.protocol !== "data:" && url.protocol !== "blob:" && url.origin !== origin) problems.foreignRequests.push(request.url());
  });
  page.on("requestfailed", (request) => problems.failedRequests.push(`${request.url()}: ${request.failure()?.errorText}`));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.failedRequests.push(`${response.url()}: HTTP ${response.status()}`);
  });
  return problems;
}

/** Opens a page and waits until Framework has settled every cell (no loading placeholder left). */
export async function open(page: Page, url: string): Promise<void> {
  await page.goto(url, {waitUntil: "networkidle"});
  await page.waitForFunction(() => document.querySelectorAll("observablehq-loading").length === 0, null, {timeout: 60_000});
}
