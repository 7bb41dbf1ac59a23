// End to end: serves the report that tests/e2e/global-setup.ts built once for all end-to-end tests
// (`npm run build`, or dist/ as it is when E2E_USE_DIST=1) on 127.0.0.1 and opens every page in headless
// Debian Chromium through playwright-core.
// A page fails on any console error, uncaught exception, failed request, HTTP error, request to another
// origin, or cell that renders an error. The explorer must show FER2013's official counts, and, when
// the dataset is on this machine (FER2013_PATH), its galleries; without it, the "FER2013 not found" note.
// E2E_SCREENSHOTS=DIR also saves a full-page, 1280 px wide screenshot of every page there.

import fs from "node:fs";
import path from "node:path";
import type {Browser, Page} from "playwright-core";
import {afterAll, beforeAll, describe, expect, inject, it} from "vitest";
import {EMOTIONS, OFFICIAL_COUNTS, SPLITS} from "../../src/lib/labels.js";
import {fer2013Available} from "../../tools/fer2013.js";
import {readModelsIndex} from "../../tools/model-io.js";
import {launchChromium} from "../../tools/browser/chromium.js";
import {serveStatic, type StaticServer} from "../../tools/browser/serve-static.js";
import {builtPages as pagesOf, open, watch, type PageProblems} from "./pages.js";

const DIST = inject("siteDist");
const SCREENSHOTS = process.env.E2E_SCREENSHOTS;
const withDataset = fer2013Available();
const integer = (n: number) => n.toLocaleString("en-US");
const builtPages = () => pagesOf(DIST);

describe("the built report in headless Chromium", () => {
  let server: StaticServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await serveStatic(DIST);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("dist/ holds the index, the dataset explorer and the browser check", () => {
    expect(builtPages()).toEqual(expect.arrayContaining(["/", "/pages/dataset", "/pages/browser-check"]));
  });

  it("dist/ loads no script, stylesheet, image or font from another origin", () => {
    const offenders: string[] = [];
    const resource = [
      /<(?:script|link|img|source|iframe|video|audio)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\/[^"'\s>]+/gi, // HTML
      /\bimport\s*(?:[\w{}*\s,$]+from\s*)?\(?\s*["'](?:https?:)?\/\/[^"']+/g, // JS, static and dynamic imports
      /url\(\s*["']?(?:https?:)?\/\/[^)"']+/g, // CSS
      /@import\s+["'](?:https?:)?\/\/[^"']+/g
    ];
    for (const file of fs.readdirSync(DIST, {recursive: true}) as string[]) {
      if (!/\.(html|js|css)$/.test(file)) continue;
      const text = fs.readFileSync(path.join(DIST, file), "utf-8");
      for (const pattern of resource) for (const match of text.matchAll(pattern)) offenders.push(`${file}: ${match[0].slice(0, 120)}`);
    }
    expect(offenders).toEqual([]);
  });

  it("every page loads with no console error, failed request or request to another origin", async () => {
    const report: Record<string, PageProblems & {cellErrors: string[]}> = {};
    for (const pagePath of builtPages()) {
      const page = await browser.newPage({viewport: {width: 1280, height: 900}});
      const problems = watch(page, server.origin);
      await open(page, `${server.origin}${pagePath}`);
      const cellErrors = await page.locator(".observablehq--error").allInnerTexts();
      if (SCREENSHOTS) {
        fs.mkdirSync(SCREENSHOTS, {recursive: true});
        const name = pagePath === "/" ? "index" : pagePath.slice(1).replace(/\//g, "-");
        await page.screenshot({path: path.join(SCREENSHOTS, `${name}${withDataset ? "" : "-no-data"}.png`), fullPage: true});
      }
      await page.close();
      report[pagePath] = {...problems, cellErrors};
    }
    const clean = {consoleErrors: [], failedRequests: [], foreignRequests: [], cellErrors: []};
    expect(report).toEqual(Object.fromEntries(Object.keys(report).map((p) => [p, clean])));
  });

  describe("the dataset explorer", () => {
    let page: Page;
    let problems: PageProblems;

    beforeAll(async () => {
      page = await browser.newPage({viewport: {width: 1280, height: 900}});
      problems = watch(page, server.origin);
      await open(page, `${server.origin}/pages/dataset`);
    });

    afterAll(async () => {
      await page?.close();
    });

    it("shows FER2013's official count of every class in every split, and the split totals", async () => {
      const table = page.getByTestId("counts-table");
      for (const emotion of EMOTIONS) {
        for (const split of SPLITS) {
          await expect.poll(() => table.locator(`tr[data-emotion="${emotion}"] td[data-split="${split}"]`).innerText()).toBe(integer(OFFICIAL_COUNTS[split][emotion]));
        }
      }
      for (const split of SPLITS) {
        const total = Object.values(OFFICIAL_COUNTS[split]).reduce((a, b) => a + b, 0);
        expect(await table.locator(`tr[data-emotion="total"] th[data-split="${split}"]`).innerText()).toBe(integer(total));
      }
      expect(SPLITS.map((split) => Object.values(OFFICIAL_COUNTS[split]).reduce((a, b) => a + b, 0))).toEqual([28709, 3589, 3589]);
    });

    it("makes the imbalance explicit: disgust is 1.5% of Training", async () => {
      const row = page.getByTestId("counts-table").locator('tr[data-emotion="disgust"]');
      expect(await row.getAttribute("class")).toContain("highlight");
      expect(await row.innerText()).toContain("1.5%");
    });

    it.runIf(withDataset)("with FER2013 on this machine, shows a gallery of sampled faces per split and class", async () => {
      expect(await page.getByTestId("fer2013-missing").count()).toBe(0);
      const faces = page.locator(".face-gallery").first().locator("[role=img]");
      expect(await faces.count()).toBe(32);
      expect(await faces.first().getAttribute("aria-label")).toMatch(/^disgust face from Training/);
      // The sprite sheet itself must have loaded: its URL is the background of every face.
      const sheet = await faces.first().evaluate((node) => getComputedStyle(node).backgroundImage.replace(/^url\("?|"?\)$/g, ""));
      const response = await page.request.get(sheet);
      expect(response.headers()["content-type"]).toBe("image/png");
    });

    it.runIf(withDataset)("with FER2013 on this machine, the class choice works from the keyboard", async () => {
      const disgust = page.getByTestId("controls").getByRole("radio", {name: "disgust"});
      await disgust.focus();
      await page.keyboard.press("ArrowRight");
      await expect.poll(() => page.locator(".face-gallery").first().locator("[role=img]").first().getAttribute("aria-label")).toMatch(/^fear face from Training/);
      await page.getByTestId("controls").getByRole("radio", {name: "PrivateTest"}).check();
      await expect.poll(() => page.locator(".face-gallery").first().locator("[role=img]").first().getAttribute("aria-label")).toMatch(/^fear face from PrivateTest/);
    });

    it.runIf(withDataset)("with FER2013 on this machine, shows duplicate groups and near-blank faces from the build-time sprite", async () => {
      const galleries = page.locator(".face-gallery");
      expect(await galleries.count()).toBe(3);
      expect(await galleries.nth(1).locator("[role=img]").count()).toBeGreaterThan(0);
      expect(await galleries.nth(2).locator("[role=img]").count()).toBeGreaterThan(0);
    });

    it.runIf(!withDataset)("without FER2013, says it was not found, how to get it, and hides the galleries", async () => {
      const note = page.getByTestId("fer2013-missing");
      await expect.poll(() => note.count()).toBe(1);
      expect(await note.getAttribute("label")).toBe("FER2013 not found"); // the callout's heading
      const text = await note.innerText();
      expect(text).toContain("Kaggle");
      expect(text).toContain("FER2013_PATH=");
      expect(text).toContain("npm run build");
      expect(await page.locator(".face-gallery").count()).toBe(0);
      expect(await page.getByTestId("gallery-unavailable").count()).toBe(3);
    });

    it("raised no console error and made no failed or foreign request", () => {
      expect(problems).toEqual({consoleErrors: [], failedRequests: [], foreignRequests: []});
    });
  });

  it("the original project's page shows its protocol and its apps' label bug from the committed src/data/original-project.json", async () => {
    const committed = JSON.parse(fs.readFileSync(path.resolve("src/data/original-project.json"), "utf8"));
    const page = await browser.newPage({viewport: {width: 1280, height: 900}});
    await open(page, `${server.origin}/pages/original`);
    const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
    await expect(page.getByTestId("displayed-accuracy").innerText()).resolves.toBe(percent(committed.labelBug.displayedAccuracy));
    const protocol = await page.getByTestId("original-protocol").innerText();
    for (const x of [committed.protocol[0].holdoutAccuracy, committed.protocol[0].privateTestAccuracy]) expect(protocol).toContain(percent(x));
    await page.close();
  });

  it("the classifier page ranks every shipped model on photos, best first, from the committed src/data/classifier-photo-models.json, measured with the shipped default", async () => {
    const committed = JSON.parse(fs.readFileSync(path.resolve("src/data/classifier-photo-models.json"), "utf8"));
    const index = readModelsIndex();
    // Measured for the models this site ships, default first (re-run the bench when the default changes).
    expect(committed.default).toBe(index.default);
    expect(committed.models.map((m: {name: string}) => m.name)).toEqual(index.models);
    const page = await browser.newPage({viewport: {width: 1280, height: 900}});
    await open(page, `${server.origin}/pages/classifier`);
    const rows = page.getByTestId("photo-models").locator("tbody tr");
    // Best on photos first.
    const byPhotos = [...committed.models].sort((a, b) => b.photo.all - a.photo.all).map((m: {name: string}) => m.name);
    await expect(rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-model")))).resolves.toEqual(byPhotos);
    const shipped = await page.locator(`[data-testid=photo-models] tr[data-model="${index.default}"]`).innerText();
    expect(shipped).toContain("(default)");
    expect(shipped).toContain(`${(100 * committed.models[0].photo.all).toFixed(1)}%`);
    await page.close();
  });

  it("the vendored TensorFlow.js runs on its wasm (self-hosted .wasm), webgl and cpu backends", async () => {
    const page = await browser.newPage();
    const problems = watch(page, server.origin);
    await open(page, `${server.origin}/pages/browser-check`);
    const rows = page.getByTestId("backend-results").locator("tbody tr");
    const results = Object.fromEntries(await rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute("data-backend"), tr.getAttribute("data-ok")])));
    await page.close();
    expect(results).toEqual({wasm: "yes", webgl: "yes", cpu: "yes"});
    expect(problems).toEqual({consoleErrors: [], failedRequests: [], foreignRequests: []});
  });
});
