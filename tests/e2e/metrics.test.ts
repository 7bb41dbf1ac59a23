// End to end: the model pages (metrics, training, architecture), built and served on 127.0.0.1, in
// headless Debian Chromium. Clicking a confusion-matrix cell, or choosing one from the keyboard, must show
// that cell's faces (those the loader kept for it, all of its true class and predicted class) when
// FER2013 is on this machine, and say why not when it is not; the activations must compute in the page;
// and no page may make a request to another origin, before or after these interactions.
// The site is the one tests/e2e/global-setup.ts built once for all end-to-end tests (dist/; with
// E2E_USE_DIST=1, dist/ as it is), or, with E2E_REPORT_DIST=DIR, a site already built in DIR.

import fs from "node:fs";
import path from "node:path";
import type {Browser, Page} from "playwright-core";
import {afterAll, beforeAll, describe, expect, inject, it} from "vitest";
import {EMOTIONS} from "../../src/lib/labels.js";
import {ablations, architectureComparisons, noteHeadline, noteParagraphs, noteSpans, type Experiment} from "../../src/lib/experiments.js";
import {fer2013Available} from "../../tools/fer2013.js";
import {readShippedModels} from "../../tools/model-loaders.js";
import type {ModelEvaluationsReport} from "../../src/lib/model-pages.js";
import {launchChromium} from "../../tools/browser/chromium.js";
import {serveStatic, type StaticServer} from "../../tools/browser/serve-static.js";
import {open, watch, type PageProblems} from "./pages.js";

const withDataset = fer2013Available();

function builtSite(): string {
  return process.env.E2E_REPORT_DIST ? path.resolve(process.env.E2E_REPORT_DIST) : inject("siteDist");
}

/** The metrics page's data as built: dist/_file/data/model-evaluations/evaluations.<hash>.json. */
function builtReport(dist: string): ModelEvaluationsReport {
  const folder = path.join(dist, "_file", "data", "model-evaluations");
  const file = fs.readdirSync(folder).find((name) => /^evaluations\.[0-9a-f]+\.json$/.test(name));
  if (!file) throw new Error(`no evaluations.*.json in ${folder}`);
  return JSON.parse(fs.readFileSync(path.join(folder, file), "utf8"));
}

type Problems = PageProblems;

describe("the model pages in headless Chromium", () => {
  let dist: string;
  let server: StaticServer;
  let browser: Browser;
  let report: ModelEvaluationsReport;

  beforeAll(async () => {
    dist = builtSite();
    report = builtReport(dist);
    server = await serveStatic(dist);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  describe("the metrics page", () => {
    let page: Page;
    let problems: Problems;
    const evaluated = () => report.models.filter((m) => m.evaluation);
    const shown = () => evaluated().find((m) => m.isDefault) ?? evaluated()[0];
    const cellFaces = () => page.getByTestId("cell-faces");
    const matrixCell = (label: string, predicted: string) => page.locator(`[data-testid=confusion-matrix] button[data-label="${label}"][data-predicted="${predicted}"]`);

    beforeAll(async () => {
      page = await browser.newPage({viewport: {width: 1280, height: 900}});
      problems = watch(page, server.origin);
      await open(page, `${server.origin}/pages/metrics`);
    });

    afterAll(async () => {
      await page?.close();
    });

    it("built its data from the dataset when FER2013 is here, else from the committed evaluations", () => {
      expect(report.facesAvailable).toBe(withDataset);
      for (const model of evaluated()) expect(model.source).toBe(withDataset ? "fer2013" : "committed");
    });

    it("the test-time table gives every evaluated model's PrivateTest accuracy under each option it was measured with", async () => {
      const rows = page.locator("[data-testid=test-time] tbody tr");
      expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-model")))).toEqual(evaluated().map((m) => m.name));
      for (const model of evaluated()) {
        const cells = await page.locator(`[data-testid=test-time] tr[data-model="${model.name}"] td`).allInnerTexts();
        const measured = [model.evaluation!.splits.PrivateTest, model.evaluation!.flipTta?.PrivateTest, model.evaluation!.cropsTta?.PrivateTest];
        measured.forEach((metrics, k) => {
          if (metrics) expect(cells[k + 1]).toContain(`${(metrics.accuracy * 100).toFixed(1)}%`);
          else expect(cells[k + 1]).toBe("–");
        });
      }
    });

    it("shows a confusion matrix whose cells are the model's PrivateTest confusion counts", async () => {
      if (!shown()) {
        expect(await page.getByTestId("not-evaluated").count()).toBe(1);
        return;
      }
      const confusion = shown().evaluation!.splits.PrivateTest.confusion;
      const counts = await page.locator("[data-testid=confusion-matrix] button.cell").evaluateAll((buttons) => buttons.map((b) => Number(b.getAttribute("data-count"))));
      expect(counts).toEqual(confusion.flat());
    });

    it("clicking a cell shows that cell's faces, each of its true class and predicted class", async () => {
      if (!shown()) return;
      const [label, predicted] = [0, 2]; // angry read as fear
      await matrixCell(EMOTIONS[label], EMOTIONS[predicted]).click();
      await expect.poll(() => cellFaces().getAttribute("data-label")).toBe(EMOTIONS[label]);
      expect(await cellFaces().getAttribute("data-predicted")).toBe(EMOTIONS[predicted]);
      if (!withDataset) {
        expect(await page.getByTestId("faces-unavailable").count()).toBe(1);
        expect(await cellFaces().locator("figure").count()).toBe(0);
        return;
      }
      const expected = shown().cells!.PrivateTest[label][predicted].map(({face}) => report.splits.PrivateTest.faces[face].id);
      const figures = cellFaces().locator("figure");
      expect(await figures.evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-face-id")))).toEqual(expected);
      expect(expected.length).toBe(Math.min(report.perCell, shown().evaluation!.splits.PrivateTest.confusion[label][predicted]));
      for (const node of await figures.all()) {
        expect(await node.getAttribute("data-label")).toBe(EMOTIONS[label]);
        expect(await node.getAttribute("data-predicted")).toBe(EMOTIONS[predicted]);
      }
      // The image folders name the true class in every path: the faces really are angry ones.
      for (const id of expected) if (id.includes("/")) expect(id).toContain(`/${EMOTIONS[label]}/`);
    });

    it("the matrix works from the keyboard: arrows move between cells, Enter and Space select", async () => {
      if (!shown()) return;
      await matrixCell("angry", "fear").click();
      await page.keyboard.press("ArrowDown");
      await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-label"))).toBe("disgust");
      await page.keyboard.press("Enter");
      await expect.poll(() => cellFaces().getAttribute("data-label")).toBe("disgust");
      expect(await cellFaces().getAttribute("data-predicted")).toBe("fear");
      await page.keyboard.press("ArrowRight");
      await page.keyboard.press("Space");
      await expect.poll(() => cellFaces().getAttribute("data-predicted")).toBe("happy");
      expect(await matrixCell("disgust", "happy").getAttribute("aria-pressed")).toBe("true");
      expect(await matrixCell("disgust", "fear").getAttribute("aria-pressed")).toBe("false");
    });

    it("the split toggle switches the matrix and the numbers to PublicTest", async () => {
      if (!shown()) return;
      await page.getByTestId("metrics-controls").getByRole("radio", {name: "PublicTest"}).check();
      const confusion = shown().evaluation!.splits.PublicTest.confusion;
      await expect
        .poll(() => page.locator("[data-testid=confusion-matrix] button.cell").evaluateAll((buttons) => buttons.map((b) => Number(b.getAttribute("data-count")))))
        .toEqual(confusion.flat());
      expect(await page.getByTestId("metric-cards").innerText()).toContain("PublicTest faces right");
    });

    it.runIf(withDataset)("with FER2013 here, lists the most confident mistakes, none of them right", async () => {
      if (!shown()) return;
      const figures = page.getByTestId("confident-mistakes").locator("figure");
      expect(await figures.count()).toBeGreaterThan(0);
      for (const node of await figures.all()) expect(await node.getAttribute("data-label")).not.toBe(await node.getAttribute("data-predicted"));
    });

    it.runIf(!withDataset)("without FER2013, says it was not found and how to get the faces", async () => {
      const note = page.getByTestId("fer2013-missing");
      expect(await note.count()).toBe(1);
      expect(await note.innerText()).toContain("FER2013_PATH=");
    });

    it("raised no error and made no request to another origin", () => {
      expect(problems).toEqual({consoleErrors: [], failedRequests: [], foreignRequests: []});
    });
  });

  describe("the architecture page", () => {
    let page: Page;
    let problems: Problems;

    beforeAll(async () => {
      page = await browser.newPage({viewport: {width: 1280, height: 900}});
      problems = watch(page, server.origin);
      await open(page, `${server.origin}/pages/architecture`);
    });

    afterAll(async () => {
      await page?.close();
    });

    it("lists every layer of the default model and draws the network", async () => {
      const rows = await page.getByTestId("layer-table").locator("tbody tr").count();
      expect(rows).toBeGreaterThan(5);
      expect(await page.getByTestId("architecture-diagram").locator("g[data-stage]").count()).toBeGreaterThan(3);
    });

    it.runIf(withDataset)("with FER2013 here, computes each block's activations in the page for the face picked", async () => {
      const grid = page.getByTestId("activation-grid");
      await expect.poll(() => grid.locator("figure.activation-block").count(), {timeout: 30_000}).toBeGreaterThan(1);
      const before = await page.locator(".activation-header figcaption").innerText();
      const radios = page.getByTestId("face-picker").getByRole("radio");
      await radios.first().focus();
      await page.keyboard.press("ArrowRight");
      await expect.poll(() => page.locator(".activation-header figcaption").innerText()).not.toBe(before);
      expect(await grid.locator("canvas").count()).toBeGreaterThan(16);
    });

    it.runIf(!withDataset)("without FER2013, hides the face picker with a note", async () => {
      expect(await page.getByTestId("activations-unavailable").count()).toBe(1);
      expect(await page.getByTestId("activation-grid").count()).toBe(0);
    });

    it("raised no error and made no request to another origin", () => {
      expect(problems).toEqual({consoleErrors: [], failedRequests: [], foreignRequests: []});
    });
  });

  it("the training page loads with no error and no request to another origin, and lists every run of src/models/experiments.json", async () => {
    const page = await browser.newPage({viewport: {width: 1280, height: 900}});
    const problems = watch(page, server.origin);
    await open(page, `${server.origin}/pages/training`);
    const runs = await page.getByTestId("run").count();
    const notTrained = await page.getByTestId("not-trained").count();
    const listed = await page.locator("[data-testid=experiments] tbody > tr[data-run]").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-run")));
    const ablated = await page.locator("[data-testid=ablation]").evaluateAll((tables) =>
      tables.map((table) => [...table.querySelectorAll("tbody tr")].map((tr) => tr.getAttribute("data-run")))
    );
    const networks = await page.locator("[data-testid=network-comparison]").evaluateAll((tables) =>
      tables.map((table) => [...table.querySelectorAll("tbody tr")].map((tr) => tr.getAttribute("data-run")))
    );
    await page.close();
    expect(runs + notTrained).toBeGreaterThan(0);
    const {experiments} = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "../../src/models/experiments.json"), "utf8")) as {experiments: Experiment[]};
    expect([...listed].sort()).toEqual(experiments.map((e) => e.name).sort());
    // One table per ablation of the committed table, baseline first (among equals, the shipped run).
    const shipped = readShippedModels().map((model) => model.name);
    expect(ablated).toEqual(ablations(experiments, {shipped}).map((a) => [a.baseline.name, ...a.rows.map((r) => r.experiment.name)]));
    // And one per architecture comparison (runs of one recipe and seed on different networks).
    expect(networks).toEqual(architectureComparisons(experiments, {shipped}).map((a) => [a.baseline.name, ...a.rows.map((r) => r.experiment.name)]));
    expect(networks.length).toBeGreaterThan(0);
    expect(problems).toEqual({consoleErrors: [], failedRequests: [], foreignRequests: []});
  });

  it("the experiments table shows each run note's first sentence and opens the rest from the keyboard, commands set as code", async () => {
    const {experiments} = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "../../src/models/experiments.json"), "utf8")) as {experiments: Experiment[]};
    const long = experiments.find((e) => e.note && noteParagraphs(e.note.slice(noteHeadline(e.note).length)).length > 0);
    expect(long, "a committed run note longer than one sentence").toBeDefined();
    const page = await browser.newPage({viewport: {width: 1280, height: 900}});
    await open(page, `${server.origin}/pages/training`);
    const note = page.locator(`[data-testid=experiments] tbody > tr[data-note-for="${long!.name}"] details.run-note`);
    const summary = note.locator("summary");
    const rest = note.locator("p").first();
    expect((await summary.innerText()).trim()).toBe(noteSpans(noteHeadline(long!.note!)).map((s) => s.text).join(""));
    expect(await rest.isVisible()).toBe(false);
    await summary.focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => rest.isVisible()).toBe(true);
    expect(await note.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    // Backticks become code elements, never literal text.
    expect(await note.innerText()).not.toContain("`");
    if (long!.note!.includes("`")) expect(await note.locator("code").count()).toBeGreaterThan(0);
    await page.close();
  });

  it("the training page's run picker draws only the ticked runs, each in its own colour, and says so when none is ticked", async () => {
    const page = await browser.newPage({viewport: {width: 1280, height: 900}});
    await open(page, `${server.origin}/pages/training`);
    const boxes = page.locator("#compare + .controls input[type=checkbox]");
    const total = await boxes.count();
    const swatches = () => page.getByTestId("run-overlay").locator("[class$=-swatch]").evaluateAll((items) => items.map((item) => item.textContent?.trim()));
    const legendColors = () => page.getByTestId("run-overlay").locator("[class$=-swatch] svg").evaluateAll((svgs) => svgs.map((svg) => getComputedStyle(svg).fill || svg.getAttribute("fill")));
    expect(total).toBeGreaterThan(0);
    await expect.poll(swatches).toHaveLength(total);
    expect(new Set(await legendColors()).size).toBe(total);
    const first = (await swatches())[0];
    await boxes.first().uncheck();
    await expect.poll(swatches).toHaveLength(total - 1);
    expect(await swatches()).not.toContain(first);
    for (let i = 1; i < total; i++) await boxes.nth(i).uncheck();
    await expect.poll(() => page.getByTestId("no-runs").count()).toBe(1);
    await page.close();
  });
});
