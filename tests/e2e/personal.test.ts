// End to end: "Tune to me" on the classifier page, in headless Chromium with a fake camera the test writes (a
// FER2013 face when FER2013_PATH is set, else a sample photo). Faces are captured from the camera for two
// expressions, the classifier is tuned in the page and its predictions change; the personal model is stored
// in IndexedDB, exported to a file, forgotten (deleted), and imported back to the same predictions; no
// request leaves the origin at any step.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type {Browser, Page} from "playwright-core";
import {afterAll, beforeAll, describe, expect, inject, it} from "vitest";
import {fer2013Available} from "../../tools/fer2013.js";
import {launchChromium} from "../../tools/browser/chromium.js";
import {serveStatic, type StaticServer} from "../../tools/browser/serve-static.js";
import {SAMPLES, datasetFrame, decodeJpeg, letterbox, writeY4m} from "./fixtures.js";
import {watch} from "./pages.js";
import {readModelsIndex} from "../../tools/model-io.js";

const SCREENSHOTS = process.env.E2E_SCREENSHOTS;

/** With E2E_SCREENSHOTS=DIR, the tune panel as the reader sees it at one step. */
async function shot(page: Page, step: string): Promise<void> {
  if (!SCREENSHOTS) return;
  fs.mkdirSync(SCREENSHOTS, {recursive: true});
  await page.locator(".tune-panel").screenshot({path: path.join(SCREENSHOTS, `tune-${step}.png`)});
}

/** The page engine's probabilities for one fixed face input (a grey gradient), with its current model. */
async function probe(page: Page): Promise<number[]> {
  return page.evaluate(async () => {
    const engine = await (window as any).ferClassifier.ready;
    const input = Float32Array.from({length: 2304}, (_, i) => ((i % 48) + Math.floor(i / 48)) / 96);
    return Array.from((await engine.classify([input]))[0] as Float32Array);
  });
}

const storedModel = (page: Page) =>
  page.evaluate(() => new Promise((resolve) => {
    const open = indexedDB.open("fer-classifier", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("personal");
    open.onsuccess = () => {
      const get = open.result.transaction("personal").objectStore("personal").get("model");
      get.onsuccess = () => (open.result.close(), resolve(get.result ?? null));
    };
  }));

describe("Tune to me, in headless Chromium", () => {
  let server: StaticServer;
  let browser: Browser;
  let fixtures: string;

  beforeAll(async () => {
    server = await serveStatic(inject("siteDist"));
    fixtures = fs.mkdtempSync(path.join(os.tmpdir(), "personal-e2e-"));
    const video = path.join(fixtures, "face.y4m");
    writeY4m(video, fer2013Available() ? await datasetFrame() : letterbox(decodeJpeg(path.join(SAMPLES, "sample1.jpg")), 640, 480));
    browser = await launchChromium({extraFlags: ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${video}`]});
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (fixtures) fs.rmSync(fixtures, {recursive: true, force: true});
  });

  it("captures faces from the camera for two expressions, tunes in the page, stores, exports, forgets and imports the personal model", async () => {
    const context = await browser.newContext({acceptDownloads: true});
    const page = await context.newPage();
    const problems = watch(page, server.origin);
    await page.goto(`${server.origin}/pages/classifier`);
    await page.waitForSelector("[data-backend]:not([data-backend=''])", {timeout: 60_000});
    const shipped = await probe(page);
    // The page quotes the committed bench of the model it ships, not of an earlier default.
    const bench = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "../../src/data/classifier-personal.json"), "utf8")) as {model: {name: string}};
    expect(bench.model.name).toBe(readModelsIndex().default);
    expect(await page.getByTestId("personal-bench").innerText()).toContain(`shipped model (${bench.model.name})`);

    const tune = page.getByRole("button", {name: "Tune to me"});
    expect(await tune.isDisabled()).toBe(true);
    await shot(page, "1-start");
    for (const emotion of ["happy", "neutral"]) {
      await page.getByLabel(emotion, {exact: false}).first().check();
      await page.getByRole("button", {name: `Capture 3 s of ${emotion}`}).click();
      await expect.poll(() => page.locator(".tune-panel__status").innerText(), {timeout: 30_000}).toMatch(new RegExp(`^Captured \\d+ ${emotion} faces`));
    }
    const counts = await page.$$eval(".tune-panel__row", (rows) => rows.map((row) => row.querySelectorAll(".tune-panel__face").length));
    for (const count of counts) expect(count).toBeGreaterThanOrEqual(4);
    await shot(page, "2-captured");
    // Any captured face can be deleted.
    await page.getByRole("button", {name: "delete happy face 1", exact: true}).click();
    expect(await page.locator('.tune-panel__row[data-class="3"] .tune-panel__face').count()).toBe(counts[0] - 1);

    await tune.click();
    await page.waitForSelector(".tune-panel__saved:not([hidden])", {timeout: 30_000});
    expect(await page.getByLabel("Use my personal model (camera and photos)").isChecked()).toBe(true);
    const tuned = await probe(page);
    expect(tuned).not.toEqual(shipped);
    await shot(page, "3-tuned");
    const stored = (await storedModel(page)) as {format: string; classes: number[]} | null;
    expect(stored).toMatchObject({format: "fer-personal/1", classes: [3, 6]});

    const download = page.waitForEvent("download");
    await page.getByRole("button", {name: "Export…"}).click();
    const file = path.join(fixtures, "personal.json");
    await (await download).saveAs(file);
    expect(JSON.parse(fs.readFileSync(file, "utf8"))).toMatchObject({format: "fer-personal/1", model: readModelsIndex().default});

    await page.getByRole("button", {name: "Forget me"}).click();
    await expect.poll(() => storedModel(page)).toBeNull();
    await shot(page, "4-forgotten");
    expect(await page.locator(".tune-panel__saved").isHidden()).toBe(true);
    expect(await probe(page)).toEqual(shipped);
    expect(await page.locator(".tune-panel__face").count()).toBe(0);

    await page.setInputFiles(".tune-panel__import input", file);
    await page.waitForSelector(".tune-panel__saved:not([hidden])", {timeout: 30_000});
    expect(await probe(page)).toEqual(tuned);
    expect(problems).toEqual({consoleErrors: [], failedRequests: [], foreignRequests: []});
    await context.close();
  }, 180_000);
});
