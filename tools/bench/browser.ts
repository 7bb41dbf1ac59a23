// The browser benchmark (`npm run bench -- browser [--dist dist] [--picture FILE] [--repeats N] [--loads N]`):
// the built classifier page in headless Debian Chromium, served from 127.0.0.1.
// - time to first prediction: from navigation start (a fresh browser context, empty cache) to the first face
//   result, when a photo is handed to the page's file input as soon as it exists; once with the page's
//   own backend choice and once forced to WebGL (?backend=webgl);
// - per backend (WebGL, WebAssembly, CPU): face detection ms per picture and per face, and classification
//   ms per face (batch of one) for our default model and, in the same page, face-api's expression model.
// Timings are medians after two warm-up runs. The machine is shared: expect noise between runs.

import fs from "node:fs";
import path from "node:path";
import {execFileSync} from "node:child_process";
import type {Browser} from "playwright-core";
import {parseFlags} from "../cli.js";
import {launchChromium} from "../browser/chromium.js";
import {serveStatic} from "../browser/serve-static.js";

const DEFAULT_PICTURE = "node_modules/@vladmandic/face-api/demo/sample1.jpg";
const BACKENDS = ["webgl", "wasm", "cpu"] as const;

function log(message: string): void {
  process.stderr.write(`bench browser: ${message}\n`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** Milliseconds from navigation start to the first face result, with the page's backend choice or a forced one. */
async function timeToFirstPrediction(browser: Browser, url: string, picture: string): Promise<{ms: number; backend: string}> {
  const context = await browser.newContext({viewport: {width: 1280, height: 900}});
  const page = await context.newPage();
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.querySelector("[data-emotion]")) {
        (window as unknown as {firstPrediction: number}).firstPrediction = performance.now();
        observer.disconnect();
      }
    }).observe(document, {childList: true, subtree: true});
  });
  await page.goto(url, {waitUntil: "commit"});
  await page.waitForSelector("#classifier-files", {state: "attached", timeout: 60_000});
  await page.setInputFiles("#classifier-files", picture);
  await page.waitForFunction(() => (window as unknown as {firstPrediction?: number}).firstPrediction, null, {timeout: 180_000});
  const ms = await page.evaluate(() => (window as unknown as {firstPrediction: number}).firstPrediction);
  const backend = (await page.getAttribute("[data-backend]", "data-backend")) ?? "";
  await context.close();
  return {ms: round(ms, 0), backend};
}

interface BackendTimes {
  faces: number;
  detectionMsPerPicture: number;
  detectionMsPerFace: number;
  classificationMsPerFace: {ours: number; faceApi: number};
}

/** Detection and per-face classification timings for each backend, in one page (one tfjs, one set of weights). */
async function backendTimes(browser: Browser, url: string, picture: string, repeats: number): Promise<Record<string, BackendTimes | {error: string}>> {
  const page = await browser.newPage({viewport: {width: 1280, height: 900}});
  // tsx compiles this file with esbuild's keepNames, which wraps the functions inside page.evaluate's
  // callback in a `__name` helper that exists only in Node: give the page a no-op one.
  await page.addInitScript("globalThis.__name ??= (fn) => fn");
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as {ferClassifier?: unknown}).ferClassifier, null, {timeout: 60_000});
  const bytes = fs.readFileSync(picture).toString("base64");
  const results: Record<string, BackendTimes | {error: string}> = {};
  for (const backend of BACKENDS) {
    // The pure-JavaScript backend takes seconds per picture: fewer repeats keep the bench in minutes.
    const runs = backend === "cpu" ? Math.min(3, repeats) : repeats;
    log(`${backend}: ${runs} runs`);
    results[backend] = await page.evaluate(
      async ({backend, bytes, runs}) => {
        type Box = {x: number; y: number; width: number; height: number};
        const engine = await (window as any).ferClassifier.ready;
        try {
          await engine.setBackend(backend);
        } catch (error) {
          return {error: String(error)};
        }
        const bitmap = await createImageBitmap(new Blob([Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0))]));
        const scale = Math.min(1, 1280 / Math.max(bitmap.width, bitmap.height));
        const canvas = document.createElement("canvas");
        canvas.width = Math.round(bitmap.width * scale);
        canvas.height = Math.round(bitmap.height * scale);
        const context = canvas.getContext("2d", {willReadFrequently: true})!;
        context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        const image = {data: context.getImageData(0, 0, canvas.width, canvas.height).data, width: canvas.width, height: canvas.height};
        const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
        const time = async (job: () => Promise<unknown>, n: number) => {
          for (let i = 0; i < 2; i++) await job();
          const times: number[] = [];
          for (let i = 0; i < n; i++) {
            const start = performance.now();
            await job();
            times.push(performance.now() - start);
          }
          return median(times);
        };
        const detections: {box: Box}[] = engine.detect(image, "photo");
        const detectionMs = await time(async () => engine.detect(image, "photo"), runs);
        if (!detections.length) return {error: "no face found in the picture"};
        const [face] = await engine.faces(image, [detections[0]]);
        const oursMs = await time(() => engine.classify([face.input]), runs * 3);
        // face-api's expression model reads a 112x112 RGB crop of the detector's box.
        const crop = document.createElement("canvas");
        crop.width = crop.height = 112;
        const {x, y, width, height} = detections[0].box;
        crop.getContext("2d")!.drawImage(canvas, x, y, width, height, 0, 0, 112, 112);
        const tensor = engine.tf.browser.fromPixels(crop);
        const theirsMs = await time(() => engine.faceApiExpressions([tensor]), runs * 3);
        tensor.dispose();
        return {
          faces: detections.length,
          detectionMsPerPicture: detectionMs,
          detectionMsPerFace: detectionMs / detections.length,
          classificationMsPerFace: {ours: oursMs, faceApi: theirsMs}
        };
      },
      {backend, bytes, runs}
    );
  }
  await page.close();
  for (const value of Object.values(results)) {
    if ("error" in value) continue;
    value.detectionMsPerPicture = round(value.detectionMsPerPicture);
    value.detectionMsPerFace = round(value.detectionMsPerFace);
    value.classificationMsPerFace = {ours: round(value.classificationMsPerFace.ours, 2), faceApi: round(value.classificationMsPerFace.faceApi, 2)};
  }
  return results;
}

export async function runBench(argv: string[]): Promise<object> {
  const {flags} = parseFlags(argv, {dist: "string", picture: "string", repeats: "number", loads: "number"});
  const dist = path.resolve(flags.dist ?? "dist");
  const picture = path.resolve(flags.picture ?? DEFAULT_PICTURE);
  const repeats = flags.repeats ?? 10;
  const loads = flags.loads ?? 3;
  if (!fs.existsSync(path.join(dist, "pages", "classifier.html"))) {
    throw new Error(`no built classifier page in ${dist}: run npm run build first (or pass --dist DIR)`);
  }
  if (!fs.existsSync(picture)) throw new Error(`missing picture ${picture}: pass --picture FILE (a photo with a face)`);
  const info = JSON.parse(fs.readFileSync(path.join("src", "vendor", "classifier", "model-info.json"), "utf8"));
  const server = await serveStatic(dist);
  const browser = await launchChromium();
  try {
    const url = `${server.origin}/pages/classifier`;
    const firstPrediction: Record<string, {backend: string; medianMs: number; runsMs: number[]}> = {};
    for (const [mode, query] of [["default", ""], ["webgl", "?backend=webgl"]]) {
      const runs: {ms: number; backend: string}[] = [];
      for (let i = 0; i < loads; i++) {
        runs.push(await timeToFirstPrediction(browser, url + query, picture));
        log(`first prediction (${mode}): ${runs[i].ms} ms on ${runs[i].backend}`);
      }
      firstPrediction[mode] = {backend: runs[0].backend, medianMs: median(runs.map((r) => r.ms)), runsMs: runs.map((r) => r.ms)};
    }
    const backends = await backendTimes(browser, url, picture, repeats);
    return {
      bench: "browser",
      chromium: browser.version(),
      note: "headless Chromium on this machine: WebGL is software (SwiftShader), wasm is single-threaded SIMD; shared 2-core machine, timings are noisy",
      picture: path.relative(process.cwd(), picture),
      model: {name: info.name, placeholder: Boolean(info.metadata?.placeholder), params: info.metadata?.params ?? null},
      timeToFirstPredictionMs: firstPrediction,
      backends,
      commit: (() => {
        try {
          return execFileSync("git", ["rev-parse", "--short", "HEAD"], {encoding: "utf8"}).trim();
        } catch {
          return null;
        }
      })()
    };
  } finally {
    await browser.close();
    await server.close();
  }
}
