// `npm run bench -- pipeline [--scenes 300] [--empty 200] [--seed 9] [--backend wasm] [--camera-backends wasm,webgl,cpu]
// [--camera-seconds 6] [--dist dist] [--write FILE] [--load "nothing else running"]`: the classifier pipeline end to
// end, the page's own code in headless Chromium on the built site (--camera-backends none skips the camera loop;
// --load says what else ran, for the note the page shows). Needs FER2013 (PrivateTest) and `npm run build` first.
// - Scenes (tools/scenes.ts) built here at run time from PrivateTest faces, seeded: 640x480 frames with 1-4 faces
//   40-456 px tall, tilted up to ±30°, on procedural backgrounds, plus face-free frames. Each frame goes to the
//   page as raw RGBA (fetched from its own origin, answered from memory: FrameFeed); the page runs
//   engine.detect(frame, "photo") and engine.faces(frame, detections, engine.photoReading) as its photo panel
//   does (three crop sizes, each mirrored), the same faces unaligned (cropFace(frame, detection, {align: false})), the camera preset
//   on the frame as a single picture (the short-range and back-camera passes, as the loop runs them while a
//   far face is in view, and every twentieth frame; one pass per face; every frame's faces checked afresh, as a new
//   face is in the loop, which reuses the check of a face still in place), and the model on the faces' original
//   48x48 crops.
// - Node matches detections to the pasted faces (tools/scenes.ts's rule) and reports recall per face-height and
//   tilt bucket, false detections per face-free frame, and accuracy per bucket (misses count as wrong) against
//   the model on the original crops.
// - The camera loop's frames per second and ms per stage, per backend, at 640x480 with one near face, three
//   faces and one far face (80-100 px, which only the back-camera pass finds): the
//   page's real loop fed by Chromium's fake camera (a y4m of a generated scene, written to a temporary folder).
// Only aggregates leave the bench (stdout, --write FILE): no scene, crop or single face's result.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type {Browser, Page} from "playwright-core";
import {parseFlags} from "../cli.js";
import {launchChromium} from "../browser/chromium.js";
import {serveStatic} from "../browser/serve-static.js";
import {writeY4mVideo} from "../browser/y4m.js";
import {benchCommand, benchCommit, shippedModelName, writeBenchResult} from "./record.js";
import {fer2013Available, loadFer2013} from "../fer2013.js";
import {
  SIZE_BUCKETS, TILT_BUCKETS, assign, bucketName, bucketOf, faceSquareOf, makeScene, permutation, poolFace, sceneSet,
  type Bucket, type FacePool, type Scene, type SceneFace
} from "../scenes.js";
import {squareIou, type FaceSquare} from "../../src/lib/face-align.js";
import {splitIndices} from "../../src/lib/dataset.js";
import {EMOTIONS} from "../../src/lib/labels.js";
import {FINDER_PRESETS} from "../../src/lib/face-finder.js";
import type {Box} from "../../src/lib/image.js";

const BACKENDS = ["wasm", "webgl", "cpu"] as const;
const STAGES = ["capture", "detect", "classify", "draw"] as const;

function log(message: string): void {
  process.stderr.write(`bench pipeline: ${message}\n`);
}

const round = (value: number, digits = 3) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null);
const ratio = (count: number, total: number) => (total ? round(count / total) : null);

function median(values: number[]): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// ---------------------------------------------------------------------------------------------------------
// The page side: one frame through the engine. Runs inside the classifier page (page.evaluate).

interface PageDetection {
  box: Box;
  score: number;
  /** Class index of the page's result (photo: aligned, flip-averaged; camera: aligned, one pass). */
  top: number;
  /** Photo only: the class with the crop kept upright (no alignment), flip-averaged. */
  topUpright?: number;
  square?: FaceSquare;
}

interface PageFrame {
  photo: PageDetection[];
  camera: PageDetection[];
  /** Per pasted face, the class the model gives its original 48x48 crop: one pass, and flip-averaged. */
  original: number[];
  originalFlip: number[];
  ms: {wait: number; photoDetect: number; photoClassify: number; cameraDetect: number; cameraClassify: number; total: number};
}

/** Opens the classifier page on `backend`, waits for its engine, and imports the page's own cropFace module. */
async function openClassifier(browser: Browser, origin: string, dist: string, backend: string): Promise<Page> {
  const page = await browser.newPage({viewport: {width: 1280, height: 900}});
  // tsx compiles this file with esbuild's keepNames, which wraps functions inside page.evaluate callbacks in a
  // `__name` helper that exists only in Node: give the page a no-op one.
  await page.addInitScript("globalThis.__name ??= (fn) => fn");
  page.on("pageerror", (error) => log(`page error: ${error.message}`));
  await page.goto(`${origin}/pages/classifier?backend=${backend}`);
  await page.waitForFunction(() => (window as any).ferClassifier, null, {timeout: 60_000});
  const running = await page.evaluate(async () => (await (window as any).ferClassifier.ready).backend());
  if (running !== backend) throw new Error(`the classifier page runs on ${running}, expected ${backend}`);
  // The module the page itself loaded (same URL, same instance), named in the page's modulepreload links.
  const html = fs.readFileSync(path.join(dist, "pages", "classifier.html"), "utf8");
  const module = /href="\.\.\/(_import\/lib\/face-crop\.[0-9a-f]+\.js)"/.exec(html)?.[1];
  if (!module) throw new Error(`no face-crop module linked from ${dist}/pages/classifier.html: rebuild the site (npm run build)`);
  // A string, not a callback: nothing may rewrite this import(); the page's policy allows its own scripts ('self').
  await page.evaluate(`import("${origin}/${module}").then((m) => { window.pipelineBench = {cropFace: m.cropFace}; })`);
  return page;
}

/**
 * Frames travel to the page as plain bytes: the page fetches /__bench/frame/ID from its own origin (its policy
 * allows only that) and Playwright answers from memory, so no file is written and a frame costs a few tens of
 * ms, half of base64 through page.evaluate. The page asks for the next frame before it works on this one, and
 * Node builds that frame meanwhile: building and sending overlap the page's work.
 */
class FrameFeed {
  private waiting = new Map<number, {promise: Promise<Buffer>; resolve: (bytes: Buffer) => void}>();
  private next = 0;

  static async attach(page: Page, origin: string): Promise<FrameFeed> {
    const feed = new FrameFeed();
    await page.route(`${origin}/__bench/frame/*`, async (route) => {
      const id = Number(new URL(route.request().url()).pathname.split("/").pop());
      const body = await feed.slot(id).promise;
      feed.waiting.delete(id);
      await route.fulfill({body, contentType: "application/octet-stream"});
    });
    return feed;
  }

  private slot(id: number) {
    let entry = this.waiting.get(id);
    if (!entry) {
      let resolve!: (bytes: Buffer) => void;
      const promise = new Promise<Buffer>((done) => (resolve = done));
      entry = {promise, resolve};
      this.waiting.set(id, entry);
    }
    return entry;
  }

  /** The id the next frame will have (the page prefetches it). */
  peek(): number {
    return this.next;
  }

  /** Makes a scene's RGBA bytes available to the page; returns its id. */
  provide(scene: Scene): number {
    const id = this.next++;
    const {data} = scene.image;
    this.slot(id).resolve(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    return id;
  }
}

/** Runs the page's pipeline on frame `id` of the feed (the scene `scene`); with `prefetch`, the page asks for frame `prefetch` first. */
function runFrame(page: Page, id: number, scene: Scene, pool: FacePool, prefetch: number | null): Promise<PageFrame> {
  const originals = Buffer.concat(scene.faces.map((face) => Buffer.from(poolFace(pool, face.index))));
  return page.evaluate(
    async ({id, prefetch, width, height, originals, faces, emotions}) => {
      const t0 = performance.now();
      const bench = (window as any).pipelineBench;
      const engine = await (window as any).ferClassifier.ready;
      const fetchFrame = (k: number) => fetch(`/__bench/frame/${k}`).then((response) => response.arrayBuffer());
      const bytes = await (bench.prefetched?.id === id ? bench.prefetched.bytes : fetchFrame(id));
      if (prefetch !== null) bench.prefetched = {id: prefetch, bytes: fetchFrame(prefetch)};
      const image = {data: new Uint8ClampedArray(bytes), width, height};
      const argmax = (p: ArrayLike<number>) => {
        let k = 0;
        for (let i = 1; i < p.length; i++) if (p[i] > p[k]) k = i;
        return k;
      };
      const t1 = performance.now();
      // Photo panel: detection, then each face aligned, cropped and read with its mirror image.
      const photoDetections = engine.detect(image, "photo");
      const t2 = performance.now();
      const photoFaces = await engine.faces(image, photoDetections, engine.photoReading);
      const t3 = performance.now();
      const uprightCrops = photoDetections.map((d: unknown) => bench.cropFace(image, d, {align: false, scales: engine.photoReading.scales}));
      const upright = await engine.facesFromCrops(uprightCrops, photoDetections, {flip: engine.photoReading.flip});
      // Camera loop: the camera preset on a single picture (both passes), one pass of the model per face.
      const t4 = performance.now();
      const cameraDetections = engine.detect(image, "camera");
      const t5 = performance.now();
      const cameraFaces = await engine.faces(image, cameraDetections);
      const t6 = performance.now();
      // The model on the original 48x48 crops, prepared by the page's own cropFace (the whole 48x48 picture).
      const grey = Uint8Array.from(atob(originals), (c) => c.charCodeAt(0));
      const inputs = Array.from({length: faces}, (_, k) => {
        const data = new Uint8ClampedArray(48 * 48 * 4);
        for (let p = 0; p < 2304; p++) data.set([grey[k * 2304 + p], grey[k * 2304 + p], grey[k * 2304 + p], 255], p * 4);
        return bench.cropFace({data, width: 48, height: 48}, null).input;
      });
      const original = (await engine.classify(inputs)).map(argmax);
      const originalFlip = (await engine.classify(inputs, {flip: true})).map(argmax);
      const index = (name: string) => emotions.indexOf(name);
      return {
        photo: photoDetections.map((d: any, i: number) => ({
          box: d.box, score: d.score, top: index(photoFaces[i].top), topUpright: index(upright[i].top), square: photoFaces[i].square
        })),
        camera: cameraDetections.map((d: any, i: number) => ({box: d.box, score: d.score, top: index(cameraFaces[i].top)})),
        original,
        originalFlip,
        ms: {wait: t1 - t0, photoDetect: t2 - t1, photoClassify: t3 - t2, cameraDetect: t5 - t4, cameraClassify: t6 - t5, total: performance.now() - t0}
      };
    },
    {id, prefetch, width: scene.image.width, height: scene.image.height, originals: originals.toString("base64"), faces: scene.faces.length, emotions: [...EMOTIONS] as string[]}
  );
}

// ---------------------------------------------------------------------------------------------------------
// Aggregates (Node side)

/** What happened to one pasted face: kept in memory only, summarised into buckets. */
interface FaceOutcome {
  size: number;
  tilt: number;
  label: number;
  photoFound: boolean;
  photoCorrect: boolean;
  photoUprightCorrect: boolean;
  photoIou: number | null;
  cameraFound: boolean;
  cameraCorrect: boolean;
  originalCorrect: boolean;
  originalFlipCorrect: boolean;
}

function recallRow(bucket: string, faces: FaceOutcome[], found: (f: FaceOutcome) => boolean) {
  const hits = faces.filter(found).length;
  return {bucket, faces: faces.length, found: hits, recall: ratio(hits, faces.length)};
}

function accuracyRow(bucket: string, faces: FaceOutcome[]) {
  const count = (test: (f: FaceOutcome) => boolean, set = faces) => set.filter(test).length;
  const found = faces.filter((f) => f.photoFound);
  return {
    bucket,
    faces: faces.length,
    /** The model on the same faces' original 48x48 crops: one pass, and with the mirror image averaged. */
    original: ratio(count((f) => f.originalCorrect), faces.length),
    originalFlip: ratio(count((f) => f.originalFlipCorrect), faces.length),
    /** End to end (a missed face counts as wrong): photo preset, aligned, flip-averaged (the photo panel). */
    photo: ratio(count((f) => f.photoCorrect), faces.length),
    /** The same without alignment: upright crops. */
    photoUpright: ratio(count((f) => f.photoUprightCorrect), faces.length),
    /** End to end: camera preset, aligned, one pass (the camera loop, before smoothing). */
    camera: ratio(count((f) => f.cameraCorrect), faces.length),
    photoRecall: ratio(found.length, faces.length),
    /** On the faces the photo preset found only: crops against originals, detection left out. */
    photoOnFound: ratio(count((f) => f.photoCorrect, found), found.length),
    photoUprightOnFound: ratio(count((f) => f.photoUprightCorrect, found), found.length),
    originalFlipOnFound: ratio(count((f) => f.originalFlipCorrect, found), found.length)
  };
}

const inBucket = (buckets: readonly Bucket[], k: number, value: (f: FaceOutcome) => number) => (f: FaceOutcome) => bucketOf(value(f), buckets) === k;

function detectionSummary(faces: FaceOutcome[], found: (f: FaceOutcome) => boolean, frames: {empty: number; emptyFalses: number; emptyFramesWithFalse: number; faceFrames: number; faceFalses: number}) {
  return {
    bySize: SIZE_BUCKETS.map((b, k) => recallRow(bucketName(b), faces.filter(inBucket(SIZE_BUCKETS, k, (f) => f.size)), found)),
    byTilt: TILT_BUCKETS.map((b, k) => recallRow(bucketName(b), faces.filter(inBucket(TILT_BUCKETS, k, (f) => f.tilt)), found)),
    over100: recallRow("100-456", faces.filter((f) => f.size >= 100), found),
    over60: recallRow("60-456", faces.filter((f) => f.size >= 60), found),
    all: recallRow("40-456", faces, found),
    falsePerEmptyFrame: ratio(frames.emptyFalses, frames.empty),
    emptyFramesWithFalse: frames.emptyFramesWithFalse,
    emptyFrames: frames.empty,
    falsePerFaceFrame: ratio(frames.faceFalses, frames.faceFrames)
  };
}

// ---------------------------------------------------------------------------------------------------------
// The camera loop, fed by Chromium's fake camera

interface CameraRun {
  /** Frames the loop drew per second of the measurement window (counted: each frame rewrites the fps figure). */
  fps: number | null;
  /** What the page itself shows (a moving average) at the end. */
  pageFps: number | null;
  /** The page's ms per stage (moving averages) at the end. */
  ms: Record<string, number | null>;
  /** Faces shown at the end (the scene has `expected`). */
  facesShown: number;
  expected: number;
  backend: string;
  error?: string;
}

async function measureCameraLoop(browser: Browser, url: string, {warmSeconds, seconds, expected}: {warmSeconds: number; seconds: number; expected: number}): Promise<CameraRun> {
  const page = await browser.newPage({viewport: {width: 1280, height: 900}});
  await page.addInitScript("globalThis.__name ??= (fn) => fn");
  try {
    await page.goto(url);
    await page.waitForFunction(() => (window as any).ferClassifier, null, {timeout: 120_000});
    await page.evaluate(() => (window as any).ferClassifier.ready);
    await page.click(".camera-panel__toggle");
    await page.waitForSelector(".camera-panel.is-running", {timeout: 30_000});
    return await page.evaluate(
      async ({warmSeconds, seconds, expected, stages}) => {
        const stats = document.querySelector(".camera-panel__stats")!;
        const values = () => {
          const out: Record<string, string> = {};
          const dts = Array.from(stats.querySelectorAll("dt"));
          for (const dt of dts) out[dt.textContent ?? ""] = dt.nextElementSibling?.textContent ?? "";
          return out;
        };
        const fpsNode = Array.from(stats.querySelectorAll("dt")).find((dt) => dt.textContent === "frames / s")!.nextElementSibling!;
        // Every frame rewrites the fps figure (from the second frame on): count the rewrites.
        let frames = 0;
        const observer = new MutationObserver(() => frames++);
        observer.observe(fpsNode, {childList: true, characterData: true, subtree: true});
        const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
        await sleep(warmSeconds * 1000);
        const start = performance.now(), before = frames;
        await sleep(seconds * 1000);
        const counted = frames - before, elapsed = (performance.now() - start) / 1000;
        observer.disconnect();
        const shown = values();
        const number = (text: string | undefined) => (text && Number.isFinite(Number(text)) ? Number(text) : null);
        return {
          fps: counted ? counted / elapsed : null,
          pageFps: number(shown["frames / s"]),
          ms: Object.fromEntries(stages.map((s: string) => [s, number(shown[`${s} ms`])])),
          facesShown: document.querySelectorAll(".camera-panel [data-emotion]").length,
          expected,
          backend: shown["backend"] ?? ""
        };
      },
      {warmSeconds, seconds, expected, stages: [...STAGES]}
    );
  } catch (error) {
    return {fps: null, pageFps: null, ms: {}, facesShown: 0, expected, backend: "", error: error instanceof Error ? error.message.split("\n")[0] : String(error)};
  } finally {
    await page.close();
  }
}

/** A scene for the camera: `count` faces in `sizes`, nearly upright, that the camera preset finds in full. */
async function cameraScene(page: Page, feed: FrameFeed, pool: FacePool, seed: number, count: number, sizes: Bucket): Promise<Scene> {
  const perm = permutation(pool.indices.length, seed);
  for (let i = 0; i < 50; i++) {
    const scene = makeScene(seed, 2_000_000 + i, pool, perm, {faces: [count, count], sizeBuckets: [sizes], maxTilt: 10});
    if (scene.faces.length !== count) continue;
    const frame = await runFrame(page, feed.provide(scene), scene, pool, null);
    if (assign(frame.camera, scene.faces).faceToDetection.every((d) => d >= 0) && frame.camera.length === count) return scene;
  }
  throw new Error(`no scene with ${count} faces of ${bucketName(sizes)} px that the camera preset finds in full, in 50 tries`);
}

// ---------------------------------------------------------------------------------------------------------

export async function runBench(argv: string[]): Promise<object> {
  const {flags} = parseFlags(argv, {
    dist: "string", scenes: "number", empty: "number", seed: "number", backend: "string",
    "camera-backends": "string", "camera-seconds": "number", write: "string", load: "string"
  });
  const dist = path.resolve(flags.dist ?? "dist");
  const faceScenes = flags.scenes ?? 300, emptyScenes = flags.empty ?? 200, seed = flags.seed ?? 9;
  const backend = flags.backend ?? "wasm";
  const cameraSeconds = flags["camera-seconds"] ?? 6;
  const cameraBackends = flags["camera-backends"] === "none" ? [] : (flags["camera-backends"] ?? BACKENDS.join(",")).split(",");
  for (const name of [backend, ...cameraBackends]) {
    if (!(BACKENDS as readonly string[]).includes(name)) throw new Error(`unknown backend "${name}", expected one of ${BACKENDS.join(", ")}`);
  }
  if (!(Number.isInteger(faceScenes) && faceScenes >= 1 && Number.isInteger(emptyScenes) && emptyScenes >= 0)) {
    throw new Error(`invalid scene counts --scenes ${faceScenes} --empty ${emptyScenes}: expected whole numbers, at least one face scene`);
  }
  if (!fs.existsSync(path.join(dist, "pages", "classifier.html"))) throw new Error(`no built classifier page in ${dist}: run npm run build first (or pass --dist DIR)`);
  if (!fer2013Available()) throw new Error("the pipeline bench needs FER2013 (its PrivateTest faces): set FER2013_PATH or put it in data/fer2013");
  const dataset = await loadFer2013();
  const pool: FacePool = {pixels: dataset.pixels, labels: dataset.labels, indices: splitIndices(dataset, "PrivateTest")};

  const server = await serveStatic(dist);
  const browser = await launchChromium();
  const temporary = fs.mkdtempSync(path.join(os.tmpdir(), "bench-pipeline-"));
  try {
    // --- Scenes through the page's pipeline
    const page = await openClassifier(browser, server.origin, dist, backend);
    const outcomes: FaceOutcome[] = [];
    const frames = {
      photo: {empty: 0, emptyFalses: 0, emptyFramesWithFalse: 0, faceFrames: 0, faceFalses: 0},
      camera: {empty: 0, emptyFalses: 0, emptyFramesWithFalse: 0, faceFrames: 0, faceFalses: 0}
    };
    const times = {build: [] as number[], wait: [] as number[], photoDetect: [] as number[], cameraDetect: [] as number[], photoClassify: [] as number[], cameraClassify: [] as number[]};
    const started = Date.now();
    let done = 0;
    const feed = await FrameFeed.attach(page, server.origin);
    const scenes = sceneSet({seed, faceScenes, emptyScenes, pool});
    const build = (): {scene: Scene; id: number} | null => {
      const b0 = performance.now();
      const next = scenes.next();
      if (next.done) return null;
      times.build.push(performance.now() - b0);
      return {scene: next.value, id: feed.provide(next.value)};
    };
    for (let current = build(); current; ) {
      const {scene, id} = current;
      // The page prefetches the next frame (ids follow one another) while Node builds it.
      const last = done + 1 === faceScenes + emptyScenes;
      const pending = runFrame(page, id, scene, pool, last ? null : feed.peek());
      current = build();
      const result = await pending;
      times.wait.push(result.ms.wait);
      times.photoDetect.push(result.ms.photoDetect);
      times.cameraDetect.push(result.ms.cameraDetect);
      if (scene.faces.length) {
        if (result.photo.length) times.photoClassify.push(result.ms.photoClassify / result.photo.length);
        if (result.camera.length) times.cameraClassify.push(result.ms.cameraClassify / result.camera.length);
      }
      const photo = assign(result.photo, scene.faces), camera = assign(result.camera, scene.faces);
      for (const [name, match] of [["photo", photo], ["camera", camera]] as const) {
        const tally = frames[name];
        if (scene.faces.length) (tally.faceFrames++, (tally.faceFalses += match.falses));
        else (tally.empty++, (tally.emptyFalses += match.falses), (tally.emptyFramesWithFalse += match.falses ? 1 : 0));
      }
      scene.faces.forEach((face: SceneFace, k) => {
        const p = photo.faceToDetection[k], c = camera.faceToDetection[k];
        const square = p >= 0 ? result.photo[p].square : undefined;
        outcomes.push({
          size: face.size,
          tilt: Math.abs(face.angle),
          label: face.label,
          photoFound: p >= 0,
          photoCorrect: p >= 0 && result.photo[p].top === face.label,
          photoUprightCorrect: p >= 0 && result.photo[p].topUpright === face.label,
          photoIou: square ? squareIou(square, faceSquareOf(face)) : null,
          cameraFound: c >= 0,
          cameraCorrect: c >= 0 && result.camera[c].top === face.label,
          originalCorrect: result.original[k] === face.label,
          originalFlipCorrect: result.originalFlip[k] === face.label
        });
      });
      done++;
      if (done % 25 === 0) log(`${done}/${faceScenes + emptyScenes} scenes, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
    log(`scenes done: ${outcomes.length} faces, the photo preset found ${outcomes.filter((o) => o.photoFound).length}`);

    // --- The camera loop on the fake camera: one face, three faces, one far face
    const cameraScenes = {
      oneFace: await cameraScene(page, feed, pool, seed, 1, [220, 300]),
      threeFaces: await cameraScene(page, feed, pool, seed, 3, [150, 175]),
      farFace: await cameraScene(page, feed, pool, seed, 1, [80, 100])
    };
    await page.close();
    const camera: Record<string, Record<string, CameraRun>> = {};
    for (const [name, scene] of cameraBackends.length ? Object.entries(cameraScenes) : []) {
      const video = path.join(temporary, `${name}.y4m`);
      writeY4mVideo(video, Array.from({length: 30}, () => scene.image), {fps: 30});
      const cameraBrowser = await launchChromium({extraFlags: ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${video}`]});
      try {
        for (const name_ of cameraBackends) {
          // Pure JavaScript runs about a frame a second: a longer window for a count worth reading.
          const slow = name_ === "cpu";
          const measure = () => measureCameraLoop(cameraBrowser, `${server.origin}/pages/classifier?backend=${name_}`, {
            warmSeconds: slow ? 6 : 3, seconds: slow ? cameraSeconds * 2 : cameraSeconds, expected: scene.faces.length
          });
          // One more try when the page did not come up (a busy machine): a failure is reported, not hidden.
          let run = await measure();
          if (run.error) (log(`camera ${name} on ${name_}: ${run.error}, trying again`), (run = await measure()));
          (camera[name_] ??= {})[name] = run;
          log(`camera ${name} on ${name_}: ${run.fps?.toFixed(1) ?? "-"} frames/s, ${run.facesShown}/${run.expected} faces${run.error ? ` (${run.error})` : ""}`);
        }
      } finally {
        await cameraBrowser.close();
      }
    }
    for (const runs of Object.values(camera)) {
      for (const run of Object.values(runs)) {
        run.fps = round(run.fps ?? NaN, 1);
        for (const key of Object.keys(run.ms)) run.ms[key] = run.ms[key] === null ? null : round(run.ms[key]!, 1);
      }
    }

    const over100 = outcomes.filter((o) => o.size >= 100);
    const ious = outcomes.flatMap((o) => (o.photoIou === null ? [] : [o.photoIou]));
    // The command that reproduces the numbers: where the site and the output live does not change them.
    const command = benchCommand("pipeline", argv);
    const result = {
      bench: "pipeline",
      command,
      date: new Date().toISOString().slice(0, 10),
      chromium: browser.version(),
      note: `headless Chromium on a 2-core machine (${flags.load ?? "other load not recorded"}): timings vary with load; WebGL is software (SwiftShader) here`,
      model: {name: shippedModelName()},
      scenes: {
        seed, split: "PrivateTest", frame: "640x480", faceScenes, emptyScenes, faces: outcomes.length, backend,
        sizes: "face height 40-456 px (the pasted 48x48 crop's side), bucket drawn uniformly", tilt: "uniform in ±30°", facesPerScene: "1-4"
      },
      buckets: {size: SIZE_BUCKETS.map(bucketName), tilt: TILT_BUCKETS.map(bucketName)},
      detection: {
        photo: {...detectionSummary(outcomes, (o) => o.photoFound, frames.photo), medianCropIou: round(median(ious))},
        camera: detectionSummary(outcomes, (o) => o.cameraFound, frames.camera)
      },
      accuracy: {
        bySize: SIZE_BUCKETS.map((b, k) => accuracyRow(bucketName(b), outcomes.filter(inBucket(SIZE_BUCKETS, k, (f) => f.size)))),
        /** Tilt buckets over faces 100 px and up (smaller faces' misses would hide the tilt's effect). */
        byTilt100: TILT_BUCKETS.map((b, k) => accuracyRow(bucketName(b), over100.filter(inBucket(TILT_BUCKETS, k, (f) => f.tilt)))),
        over100: accuracyRow("100-456", over100),
        all: accuracyRow("40-456", outcomes)
      },
      camera: {
        frame: "640x480, a still scene looped by Chromium's fake camera",
        scenes: {oneFace: {faces: 1, sizes: "220-300 px"}, threeFaces: {faces: 3, sizes: "150-175 px"}, farFace: {faces: 1, sizes: "80-100 px"}},
        /** With a near face in view, the loop's back-camera pass runs one frame in this many (src/lib/face-finder.ts). */
        discoverEvery: FINDER_PRESETS.camera.discoverEvery,
        seconds: cameraSeconds,
        backends: camera
      },
      timing: {
        backend,
        photoDetectMs: round(median(times.photoDetect), 1),
        cameraDetectMs: round(median(times.cameraDetect), 1),
        photoClassifyMsPerFace: round(median(times.photoClassify), 1),
        cameraClassifyMsPerFace: round(median(times.cameraClassify), 1),
        /** Building a scene in Node (overlaps the page's work on the previous one). */
        sceneBuildMs: round(median(times.build), 1),
        /** How long the page waited for its frame's bytes (prefetched while it worked on the previous frame). */
        frameWaitMs: round(median(times.wait), 1),
        seconds: Math.round((Date.now() - started) / 1000)
      },
      commit: benchCommit()
    };
    if (flags.write) {
      writeBenchResult(flags.write, result);
      log(`wrote ${flags.write}`);
    }
    return result;
  } finally {
    fs.rmSync(temporary, {recursive: true, force: true});
    await browser.close();
    await server.close();
  }
}
