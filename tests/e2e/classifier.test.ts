// End to end: the classifier page, built and served on 127.0.0.1, in headless Debian Chromium.
// Photos (face-api's sample pictures, and bad files the test writes), a fake camera fed by a y4m video the
// test writes (faces of FER2013 when FER2013_PATH is set, else one of the sample photos), a refused camera,
// the WebAssembly fallback without WebGL, the reader's backend switch, keyboard use, and that no request
// leaves the origin. It also proves that the page's bundled preprocessing and Node's give the same input.
// The site is the one tests/e2e/global-setup.ts built once for all end-to-end tests (dist/; with
// E2E_USE_DIST=1, dist/ as it is). E2E_SCREENSHOTS=DIR saves 1280 px screenshots there.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {PNG} from "pngjs";
import type {Browser, BrowserContext, Page} from "playwright-core";
import {afterAll, beforeAll, describe, expect, inject, it} from "vitest";
import {EMOTIONS} from "../../src/lib/labels.js";
import {cropFace} from "../../src/lib/face-crop.js";
import {temperatureOf, validateMetadata, withTemperature} from "../../src/lib/model-folder.js";
import {fer2013Available} from "../../tools/fer2013.js";
import {launchChromium} from "../../tools/browser/chromium.js";
import {serveStatic, type StaticServer} from "../../tools/browser/serve-static.js";
import {watch, type PageProblems} from "./pages.js";

import {ROOT, SAMPLES, datasetFrame, decodeJpeg, decodeJpegSize, hugePng, letterbox, writeY4m} from "./fixtures.js";
/** Faces in face-api's sample photos, counted by eye (sample2's third face is in full profile). */
const SAMPLE_FACES: Record<string, number> = {
  "sample1.jpg": 3, "sample2.jpg": 3, "sample3.jpg": 3, "sample4.jpg": 4, "sample5.jpg": 5, "sample6.jpg": 4
};
const SCREENSHOTS = process.env.E2E_SCREENSHOTS;

// ---------------------------------------------------------------------------------------------------
// Site, server, browser

/** Problems of every page the tests open, gathered in one place. */
const watched: PageProblems = {consoleErrors: [], failedRequests: [], foreignRequests: []};
const watchPage = (page: Page, origin: string): Page => (watch(page, origin, watched), page);

async function screenshot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  fs.mkdirSync(SCREENSHOTS, {recursive: true});
  await page.screenshot({path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true});
}

async function faceResults(page: Page, scope: string): Promise<{emotion: string; confidence: number; box: number[]}[]> {
  return page.$$eval(`${scope} [data-emotion]`, (elements) =>
    elements.map((e) => ({
      emotion: (e as HTMLElement).dataset.emotion!,
      confidence: Number((e as HTMLElement).dataset.confidence),
      box: (e as HTMLElement).dataset.box!.split(",").map(Number)
    }))
  );
}

function expectWellFormed(faces: {emotion: string; confidence: number; box: number[]}[], width: number, height: number): void {
  for (const face of faces) {
    expect(EMOTIONS).toContain(face.emotion);
    expect(face.confidence).toBeGreaterThan(1 / 7 - 1e-6);
    expect(face.confidence).toBeLessThanOrEqual(1);
    const [x, y, w, h] = face.box;
    expect(face.box).toHaveLength(4);
    expect(Math.min(x, y)).toBeGreaterThanOrEqual(0);
    expect(w).toBeGreaterThan(10);
    expect(h).toBeGreaterThan(10);
    expect(x + w).toBeLessThanOrEqual(width + 1);
    expect(y + h).toBeLessThanOrEqual(height + 1);
  }
}

describe("the classifier page in headless Chromium", () => {
  let server: StaticServer;
  let browser: Browser;
  let dist: string;
  let url: string;
  let fixtures: string;

  beforeAll(async () => {
    dist = inject("siteDist");
    server = await serveStatic(dist);
    url = `${server.origin}/pages/classifier`;
    browser = await launchChromium();
    fixtures = fs.mkdtempSync(path.join(os.tmpdir(), "classifier-e2e-"));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (fixtures) fs.rmSync(fixtures, {recursive: true, force: true});
  });

  async function openPage({context, query = ""}: {context?: BrowserContext; query?: string} = {}): Promise<Page> {
    const page = watchPage(await (context ?? browser).newPage({viewport: {width: 1280, height: 900}}), server.origin);
    await page.goto(url + query);
    await page.waitForSelector("[data-backend]:not([data-backend=''])", {timeout: 60_000});
    return page;
  }

  it("the page is built with the classifier's own weights and the two BlazeFace detectors, all served by the site", () => {
    const files = (fs.readdirSync(dist, {recursive: true}) as string[]).map((f) => f.replace(/\\/g, "/"));
    expect(files.some((f) => /detectors\/facemesh-detection-short\.[0-9a-f]+\.bin$/.test(f))).toBe(true);
    expect(files.some((f) => /detectors\/blazeface-back\.[0-9a-f]+\.bin$/.test(f))).toBe(true);
    expect(files.some((f) => /vendor\/classifier\/weights\.[0-9a-f]+\.bin$/.test(f))).toBe(true);
    expect(fs.readFileSync(path.join(dist, "pages", "classifier.html"), "utf8")).toContain("Classifier");
  });

  it("uploading face-api's six sample photos at once boxes and labels every face the detector finds", async () => {
    const page = await openPage();
    const names = Object.keys(SAMPLE_FACES);
    await page.setInputFiles("#classifier-files", names.map((name) => path.join(SAMPLES, name)));
    await page.waitForFunction((n) => document.querySelectorAll(".picture-result").length === n, names.length, {timeout: 180_000});
    const found = Object.fromEntries(
      await page.$$eval(".picture-result", (elements) => elements.map((e) => [(e as HTMLElement).dataset.picture!, Number((e as HTMLElement).dataset.faces)]))
    );
    expect(found).toEqual(SAMPLE_FACES);
    for (const name of names) {
      const {width, height} = decodeJpegSize(path.join(SAMPLES, name));
      const faces = await faceResults(page, `.picture-result[data-picture="${name}"]`);
      expect(faces).toHaveLength(SAMPLE_FACES[name]);
      expectWellFormed(faces, width, height);
    }
    // Every face card shows the crop, the Grad-CAM view and all seven bars.
    const cards = page.locator(".picture-result .face-result");
    expect(await cards.count()).toBe(Object.values(SAMPLE_FACES).reduce((a, b) => a + b));
    expect(await cards.first().locator(".emotion-bars li").count()).toBe(EMOTIONS.length);
    // A photo's face is read at three crop sizes, each as it is and mirrored (PHOTO_READING), and the card says so.
    for (const note of await page.locator(".picture-result .face-result__note").allInnerTexts()) {
      expect(note).toContain("the face cropped at 3 sizes, each as it is and mirrored, 6 readings averaged");
    }
    expect(await page.locator(".picture-result .face-result__note").count()).toBe(await cards.count());
    await page.waitForFunction(() => document.querySelectorAll(".face-result__why canvas").length === document.querySelectorAll(".picture-result .face-result").length, null, {timeout: 60_000});
    await screenshot(page, "classifier-samples");
    await page.close();
  }, 300_000);

  it("a picture dropped on the page or pasted into it is classified like one from the picker", async () => {
    const page = await openPage();
    const base64 = fs.readFileSync(path.join(SAMPLES, "sample6.jpg")).toString("base64");
    await page.evaluate((base64) => {
      const transfer = (name: string) => {
        const data = new DataTransfer();
        data.items.add(new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], name, {type: "image/jpeg"}));
        return data;
      };
      document.querySelector("main")!.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer("dropped.jpg"), bubbles: true, cancelable: true}));
      document.body.dispatchEvent(new ClipboardEvent("paste", {clipboardData: transfer("pasted.jpg"), bubbles: true, cancelable: true}));
    }, base64);
    await page.waitForFunction(() => document.querySelectorAll(".picture-result").length === 2, null, {timeout: 60_000});
    for (const name of ["dropped.jpg", "pasted.jpg"]) {
      expect(await page.getAttribute(`.picture-result[data-picture="${name}"]`, "data-faces")).toBe(String(SAMPLE_FACES["sample6.jpg"]));
    }
    await page.close();
  });

  it("a non-image, a corrupt JPEG and an 8000x8000 picture each get a clear message, and the page keeps working", async () => {
    const text = path.join(fixtures, "notes.txt");
    const corrupt = path.join(fixtures, "broken.jpg");
    const huge = path.join(fixtures, "huge.png");
    fs.writeFileSync(text, "not a picture\n");
    fs.writeFileSync(corrupt, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 7)]));
    fs.writeFileSync(huge, hugePng(8000, 8000));
    const page = await openPage();
    await page.setInputFiles("#classifier-files", [text, corrupt, huge]);
    await page.waitForFunction(() => document.querySelectorAll(".picture-error").length === 3, null, {timeout: 60_000});
    const messages = await page.locator(".picture-error").allInnerTexts();
    expect(messages[0]).toMatch(/“notes\.txt” is not a picture/);
    expect(messages[1]).toMatch(/“broken\.jpg” could not be read as a picture/);
    expect(messages[2]).toMatch(/“huge\.png” is 8,000 × 8,000 pixels \(64 megapixels\).*up to 40 megapixels/);
    await page.setInputFiles("#classifier-files", path.join(SAMPLES, "sample1.jpg"));
    await page.waitForSelector(".picture-result[data-picture='sample1.jpg'] [data-emotion]", {timeout: 60_000});
    await page.close();
  });

  it("a picture with no face says so, and reads the whole picture as one face when asked", async () => {
    const file = path.join(fixtures, "gradient.png");
    const png = new PNG({width: 300, height: 200});
    for (let i = 0; i < 300 * 200; i++) png.data.set([i % 300, 120, 200 - Math.floor(i / 300), 255], i * 4);
    fs.writeFileSync(file, PNG.sync.write(png));
    const page = await openPage();
    await page.setInputFiles("#classifier-files", file);
    await page.waitForSelector(".picture-result__none", {timeout: 60_000});
    expect(await page.locator(".picture-result__none").innerText()).toMatch(/No face found/);
    await page.getByRole("button", {name: "Read the whole picture as one face"}).click();
    await page.waitForSelector(".picture-result [data-emotion]", {timeout: 30_000});
    const faces = await faceResults(page, ".picture-result");
    expect(faces).toHaveLength(1);
    expect(faces[0].box).toEqual([50, 0, 200, 200]);
    await page.close();
  });

  it("the page's preprocessing module and Node's give the same model input for the same picture", async () => {
    // A PNG (lossless: both sides decode the same RGBA) of a real photo, and a face box in it.
    const photo = decodeJpeg(path.join(SAMPLES, "sample1.jpg"));
    const png = new PNG({width: photo.width, height: photo.height});
    png.data.set(photo.data);
    const bytes = PNG.sync.write(png);
    const boxes = [{x: 1450.3, y: 200.6, width: 272.2, height: 266.9}, {x: 10, y: 1100, width: 20, height: 20}, null];
    // The site's content security policy forbids inline scripts: this test injects one, so it bypasses the policy.
    const context = await browser.newContext({bypassCSP: true});
    const page = await openPage({context});
    const module = (fs.readdirSync(dist, {recursive: true}) as string[]).find((f) => /_import\/lib\/face-crop\.[0-9a-f]+\.js$/.test(f.replace(/\\/g, "/")));
    expect(module).toBeDefined();
    // The module the page itself loads, imported in the page (a module script: vitest rewrites import() in callbacks).
    await page.addScriptTag({type: "module", content: `import {cropFace} from "${server.origin}/${module!.replace(/\\/g, "/")}"; window.cropFace = cropFace;`});
    await page.waitForFunction(() => "cropFace" in window);
    const inBrowser: number[][] = await page.evaluate(
      async ({base64, boxes}) => {
        const {cropFace} = window as unknown as {cropFace: typeof import("../../src/lib/face-crop.js").cropFace};
        const blob = new Blob([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], {type: "image/png"});
        const img = new Image();
        img.src = URL.createObjectURL(blob);
        await img.decode();
        const canvas = document.createElement("canvas");
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        const context = canvas.getContext("2d", {willReadFrequently: true})!;
        context.drawImage(img, 0, 0);
        const image = {data: context.getImageData(0, 0, canvas.width, canvas.height).data, width: canvas.width, height: canvas.height};
        return boxes.map((box) => Array.from(cropFace(image, box).input as Float32Array));
      },
      {base64: bytes.toString("base64"), boxes}
    );
    const decoded = PNG.sync.read(bytes);
    boxes.forEach((box, k) => {
      const inNode = cropFace({data: decoded.data, width: decoded.width, height: decoded.height}, box).input;
      expect(inBrowser[k]).toHaveLength(48 * 48);
      const worst = Math.max(...inBrowser[k].map((v, i) => Math.abs(v - inNode[i])));
      expect(worst).toBeLessThanOrEqual(1e-6);
    });
    await context.close();
  });

  it("the page shows the default model's calibrated probabilities: its network's, averaged over a face's views, at its metadata.json temperature", async () => {
    const page = await openPage({query: "?backend=wasm"});
    const result = await page.evaluate(async () => {
      const engine = await (window as any).ferClassifier.ready;
      // A grey gradient and the same shifted by a pixel: one face read at two crop sizes, each mirrored.
      const input = Float32Array.from({length: 2304}, (_, i) => ((i % 48) + Math.floor(i / 48)) / 96);
      const view = Float32Array.from(input, (v, i) => (i % 48 < 47 ? input[i + 1] : v));
      const network = ((await engine.classify([input, view], {flip: true})) as Float32Array[]).map((p) => Array.from(p));
      const [face] = await engine.facesFromCrops([{crop: {x: 0, y: 0, width: 48, height: 48}, pixels: new Uint8Array(2304), input, views: [view]}], [null], {flip: true});
      return {name: engine.info.name as string, network, shown: Array.from(face.probabilities as Float32Array), confidence: face.confidence as number};
    });
    await page.close();
    const file = path.join(ROOT, "src", "models", result.name, "metadata.json");
    const temperature = temperatureOf(validateMetadata(JSON.parse(fs.readFileSync(file, "utf8")), file));
    expect(temperature).not.toBe(1);
    const mean = Float32Array.from(result.network[0], (p, k) => (p + result.network[1][k]) / 2);
    const expected = withTemperature(mean, temperature);
    expect(Math.max(...result.shown.map((p, k) => Math.abs(p - expected[k])))).toBeLessThan(1e-5);
    expect(result.confidence).toBe(Math.max(...result.shown));
    expect(result.shown.indexOf(result.confidence)).toBe(mean.indexOf(Math.max(...mean)));
  });

  it("with WebGL disabled the page falls back to WebAssembly, says so, and still classifies", async () => {
    const context = await browser.newContext();
    await context.addInitScript(() => {
      for (const Canvas of [HTMLCanvasElement, OffscreenCanvas]) {
        const getContext = Canvas.prototype.getContext as (this: unknown, type: string, options?: unknown) => unknown;
        Canvas.prototype.getContext = function (this: unknown, type: string, options?: unknown) {
          return /webgl/i.test(type) ? null : getContext.call(this, type, options);
        } as typeof Canvas.prototype.getContext;
      }
    });
    // ?backend=webgl: try WebGL first even where the page would have preferred WebAssembly.
    const page = await openPage({context, query: "?backend=webgl"});
    expect(await page.getAttribute("[data-backend]", "data-backend")).toBe("wasm");
    expect(await page.locator(".classifier-status__note").innerText()).toMatch(/WebGL did not work here/);
    await page.setInputFiles("#classifier-files", path.join(SAMPLES, "sample3.jpg"));
    await page.waitForSelector(".picture-result[data-picture='sample3.jpg']", {timeout: 60_000});
    expect(await faceResults(page, ".picture-result")).toHaveLength(SAMPLE_FACES["sample3.jpg"]);
    await context.close();
  });

  it("the reader can switch the backend, and the page shows which one runs", async () => {
    const page = await openPage({query: "?backend=wasm"});
    expect(await page.getAttribute("[data-backend]", "data-backend")).toBe("wasm");
    // Switching runs the model and each of the face finder's networks once, in the page's thread (selectOption
    // waits it out); on CPU only once each, not the photo mode's batches of tiles, which took 22 s there.
    await page.selectOption(".classifier-status select", "cpu", {timeout: 60_000});
    await page.waitForSelector("[data-backend='cpu']", {timeout: 60_000});
    expect(await page.textContent(".classifier-status__note")).toContain("plain JavaScript");
    await page.selectOption(".classifier-status select", "wasm", {timeout: 60_000});
    await page.waitForSelector("[data-backend='wasm']", {timeout: 60_000});
    expect(await page.textContent(".classifier-status__note")).not.toContain("plain JavaScript");
    await page.close();
  }, 180_000);

  it("the file picker and the camera are reachable and usable from the keyboard", async () => {
    const page = await openPage();
    /** Presses Tab until the element matching `selector` has the focus; its text, or null if never reached. */
    const tabTo = async (selector: string) => {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press("Tab");
        const text = await page.evaluate((s) => (document.activeElement?.matches(s) ? document.activeElement.textContent : null), selector);
        if (text !== null) return text;
      }
      return null;
    };
    const focused = [await tabTo("button.dropzone__button")];
    // Generous: on a loaded 2-core CI machine Chromium can take seconds to raise the chooser.
    const chooser = page.waitForEvent("filechooser", {timeout: 30_000});
    // Waiting for the event asks Chromium to intercept file choosers; one round trip to the page makes sure
    // that request has landed before Enter opens one (otherwise the chooser opens unseen and the wait times out).
    await page.evaluate(() => 0);
    await page.keyboard.press("Enter");
    expect((await chooser).isMultiple()).toBe(true);
    focused.push(await tabTo("button.camera-panel__toggle"));
    expect(focused).toEqual(["Choose pictures…", "Start camera"]);
    await page.close();
  });

  it("a fake camera showing faces yields labelled, smoothed faces with frame rate and stage timings, until stopped", async () => {
    const video = path.join(fixtures, "faces.y4m");
    const frame = fer2013Available() ? await datasetFrame() : letterbox(decodeJpeg(path.join(SAMPLES, "sample1.jpg")), 640, 480);
    writeY4m(video, frame);
    const camera = await launchChromium({
      extraFlags: ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${video}`]
    });
    try {
      const page = watchPage(await camera.newPage({viewport: {width: 1280, height: 900}}), server.origin);
      await page.goto(url);
      await page.waitForSelector("[data-backend]:not([data-backend=''])", {timeout: 60_000});
      const requestsBefore = watched.foreignRequests.length;
      await page.getByRole("button", {name: "Start camera"}).click();
      await page.waitForSelector(".camera-panel [data-emotion]", {timeout: 60_000});
      // A few frames more, so that frame rate and smoothing have something to work with.
      await page.waitForFunction(() => Number(document.querySelectorAll(".camera-panel__stats dd")[0]?.textContent) > 0, null, {timeout: 60_000});
      const faces = await faceResults(page, ".camera-panel");
      expect(faces.length).toBeGreaterThan(0);
      expectWellFormed(faces, 640, 480);
      const stats = await page.locator(".camera-panel__stats dd").allInnerTexts();
      for (const value of stats.slice(0, 5)) expect(Number(value)).toBeGreaterThan(0);
      expect(await page.locator(".emoji-mirror__label").innerText()).toMatch(new RegExp(`^(${EMOTIONS.join("|")}) \\d+%$`));
      await page.getByLabel("Show why (Grad-CAM of the main face)").check();
      await page.waitForFunction(() => document.querySelectorAll(".camera-panel__explain canvas").length === 2, null, {timeout: 30_000});
      await screenshot(page, "classifier-camera");
      await page.getByRole("button", {name: "Stop camera"}).click();
      expect(await page.locator(".camera-panel [data-emotion]").count()).toBe(0);
      expect(watched.foreignRequests.slice(requestsBefore)).toEqual([]);
      await page.close();
    } finally {
      await camera.close();
    }
  });

  it("a refused camera gives a clear message and leaves photos working", async () => {
    const context = await browser.newContext();
    await context.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("Permission denied", "NotAllowedError"));
    });
    const page = await openPage({context});
    await page.getByRole("button", {name: "Start camera"}).click();
    await expect.poll(() => page.locator(".camera-panel__message").innerText()).toMatch(/Camera access was refused/);
    expect(await page.getByRole("button", {name: "Start camera"}).isEnabled()).toBe(true);
    await page.setInputFiles("#classifier-files", path.join(SAMPLES, "sample5.jpg"));
    await page.waitForSelector(".picture-result [data-emotion]", {timeout: 60_000});
    await context.close();
  });

  it("no request of any page opened above left the origin, and no page reported an error", () => {
    expect(watched).toEqual({consoleErrors: [], failedRequests: [], foreignRequests: []});
  });
});

