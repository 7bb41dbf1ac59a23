// `npm run bench -- personal [--dist dist] [--reps 3]`: the mechanism of "Tune to me", measured in the built
// classifier page (headless Chromium, the page's own engine.tune and engine.classify). A simulated reader
// whose faces the shipped model misreads: PrivateTest faces of four expressions (happy, sad, surprise,
// neutral) under one fixed appearance shift (framed closer and lower, low contrast, brighter, lit from one
// side, slightly blurred: personShift). For k = 5, 10 and 20 faces per expression, drawn with a seed, the page
// tunes a personal model and the other shifted faces are scored before and after (7-way accuracy), over
// `reps` draws; the same on unshifted faces checks that tuning a reader the model already reads well does not
// hurt; and the time of one tuning (k = 10, 40 faces) on each backend. Only aggregates are printed (and with
// --write FILE written, with the model, the command and the commit: src/data/classifier-personal.json is
// what the classifier page quotes; --load "..." says what else ran).

import fs from "node:fs";
import path from "node:path";
import type {Page} from "playwright-core";
import {parseFlags} from "../cli.js";
import {launchChromium} from "../browser/chromium.js";
import {serveStatic} from "../browser/serve-static.js";
import {loadFer2013} from "../fer2013.js";
import {IMAGE_PIXELS, IMAGE_SIZE, splitIndices} from "../../src/lib/dataset.js";
import {warpFace} from "../../src/lib/augment.js";
import {EMOTIONS} from "../../src/lib/labels.js";
import {Random} from "../../src/lib/random.js";
import {benchCommand, benchCommit, shippedModelName, writeBenchResult} from "./record.js";

const CLASSES = ["happy", "sad", "surprise", "neutral"].map((e) => EMOTIONS.indexOf(e as (typeof EMOTIONS)[number]));
const KS = [5, 10, 20];

/** The simulated reader's look: a 48x48 grey face as their camera and face would give it. */
export function personShift(pixels: Uint8Array): Uint8Array {
  const n = IMAGE_SIZE;
  const zoomed = new Float32Array(IMAGE_PIXELS);
  warpFace(Float32Array.from(pixels, (v) => v / 255), zoomed, {flip: false, dx: 0, dy: -4, angle: 0, zoom: 1.25});
  const out = new Uint8Array(IMAGE_PIXELS);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let sum = 0, weight = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const w = (dx === 0 ? 2 : 1) * (dy === 0 ? 2 : 1);
          sum += w * zoomed[Math.min(n - 1, Math.max(0, y + dy)) * n + Math.min(n - 1, Math.max(0, x + dx))];
          weight += w;
        }
      }
      const v = 0.45 * (sum / weight - 0.5) + 0.5 + 0.15 + 0.3 * (x / (n - 1) - 0.5);
      out[y * n + x] = Math.round(255 * Math.min(1, Math.max(0, v)));
    }
  }
  return out;
}

interface Trial {
  k: number;
  shifted: boolean;
  before: number;
  after: number;
}

/** In the page: tune on the picked faces, score every other face with the shipped model and with the personal one. */
const PAGE_TRIAL = `async ({bytes, labels, picked, classes}) => {
  const engine = await window.ferClassifier.ready;
  const raw = Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0));
  const input = (i) => Float32Array.from(raw.subarray(i * 2304, (i + 1) * 2304), (v) => v / 255);
  const pickedSet = new Set(picked);
  const rest = labels.map((_, i) => i).filter((i) => !pickedSet.has(i));
  const score = async () => {
    let correct = 0;
    for (let s = 0; s < rest.length; s += 256) {
      const chunk = rest.slice(s, s + 256);
      const p = await engine.classify(chunk.map(input));
      p.forEach((row, j) => { if (row.indexOf(Math.max(...row)) === labels[chunk[j]]) correct++; });
    }
    return correct / rest.length;
  };
  await engine.setPersonal(null);
  const before = await score();
  const started = performance.now();
  const tuned = await engine.tune(picked.map((i) => ({input: input(i), label: labels[i]})), classes);
  const ms = performance.now() - started;
  await engine.setPersonal({stats: tuned.stats, head: tuned.head});
  const after = await score();
  await engine.setPersonal(null);
  return {before, after, ms};
}`;

const PAGE_TIMING = `async ({bytes, labels, picked, classes, backend}) => {
  const engine = await window.ferClassifier.ready;
  await engine.setBackend(backend);
  const raw = Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0));
  const input = (i) => Float32Array.from(raw.subarray(i * 2304, (i + 1) * 2304), (v) => v / 255);
  const faces = picked.map((i) => ({input: input(i), label: labels[i]}));
  await engine.tune(faces, classes);
  const started = performance.now();
  await engine.tune(faces, classes);
  return performance.now() - started;
}`;

function draw(labels: number[], k: number, seed: number): number[] {
  const random = new Random(seed);
  return CLASSES.flatMap((c) => random.shuffle(labels.map((label, i) => (label === c ? i : -1)).filter((i) => i >= 0)).slice(0, k));
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const round = (v: number, digits = 4) => Math.round(v * 10 ** digits) / 10 ** digits;

export async function runBench(argv: string[]): Promise<object> {
  const {flags} = parseFlags(argv, {dist: "string", reps: "number", data: "string", write: "string", load: "string"});
  const dist = path.resolve(flags.dist ?? "dist");
  if (!fs.existsSync(path.join(dist, "pages", "classifier.html"))) throw new Error(`no built classifier page in ${dist}: run npm run build first (or pass --dist DIR)`);
  const reps = flags.reps ?? 3;
  const dataset = await loadFer2013({path: flags.data});
  const rows = Array.from(splitIndices(dataset, "PrivateTest")).filter((i) => CLASSES.includes(dataset.labels[i]));
  const labels = rows.map((i) => dataset.labels[i]);
  const plain = new Uint8Array(rows.length * IMAGE_PIXELS);
  const shifted = new Uint8Array(rows.length * IMAGE_PIXELS);
  rows.forEach((row, k) => {
    const face = dataset.pixels.subarray(row * IMAGE_PIXELS, (row + 1) * IMAGE_PIXELS);
    plain.set(face, k * IMAGE_PIXELS);
    shifted.set(personShift(face), k * IMAGE_PIXELS);
  });
  const bytes = {plain: Buffer.from(plain).toString("base64"), shifted: Buffer.from(shifted).toString("base64")};
  const server = await serveStatic(dist);
  const browser = await launchChromium();
  try {
    const page: Page = await browser.newPage();
    await page.goto(`${server.origin}/pages/classifier?backend=wasm`);
    // A function, not a string: the site's content security policy forbids eval, which a string predicate needs.
    await page.waitForFunction(() => (window as unknown as {ferClassifier?: unknown}).ferClassifier, null, {timeout: 60_000});
    const trials: (Trial & {ms: number})[] = [];
    for (const shiftedFaces of [true, false]) {
      for (const k of KS) {
        for (let rep = 0; rep < reps; rep++) {
          const picked = draw(labels, k, 1000 * k + rep);
          process.stderr.write(`bench personal: ${shiftedFaces ? "shifted" : "unshifted"} k=${k} draw ${rep + 1}/${reps}\n`);
          const result = (await page.evaluate(`(${PAGE_TRIAL})(${JSON.stringify({bytes: shiftedFaces ? bytes.shifted : bytes.plain, labels, picked, classes: CLASSES})})`)) as {before: number; after: number; ms: number};
          trials.push({k, shifted: shiftedFaces, ...result});
        }
      }
    }
    const timing: Record<string, number | {error: string}> = {};
    for (const backend of ["wasm", "webgl", "cpu"]) {
      try {
        timing[backend] = Math.round((await page.evaluate(`(${PAGE_TIMING})(${JSON.stringify({bytes: bytes.shifted, labels, picked: draw(labels, 10, 7), classes: CLASSES, backend})})`)) as number);
      } catch (error) {
        timing[backend] = {error: (error as Error).message.split("\n")[0]};
      }
    }
    const summary = (shiftedFaces: boolean) =>
      Object.fromEntries(KS.map((k) => {
        const these = trials.filter((t) => t.k === k && t.shifted === shiftedFaces);
        return [k, {before: round(mean(these.map((t) => t.before))), after: round(mean(these.map((t) => t.after))), draws: these.map((t) => [round(t.before), round(t.after)])}];
      }));
    const shiftedSummary = summary(true);
    const unshiftedSummary = summary(false);
    const clean = mean(trials.filter((t) => !t.shifted).map((t) => t.before));
    const result = {
      bench: "personal",
      command: benchCommand("personal", argv),
      date: new Date().toISOString().slice(0, 10),
      model: {name: shippedModelName()},
      load: flags.load ?? "other load not recorded",
      classes: CLASSES.map((c) => EMOTIONS[c]),
      faces: rows.length,
      shift: "framed 1.25x closer and 4 px lower, contrast x0.45, +15% brightness, light from one side (+-15%), 3x3 blur",
      shippedAccuracy: {unshifted: round(clean), shifted: round(mean(trials.filter((t) => t.shifted).map((t) => t.before)))},
      shifted: Object.fromEntries(Object.entries(shiftedSummary).map(([k, s]) => [k, {...s, recovered: round((s.after - s.before) / Math.max(1e-9, clean - s.before), 3)}])),
      unshifted: Object.fromEntries(Object.entries(unshiftedSummary).map(([k, s]) => [k, {...s, change: round(s.after - s.before)}])),
      tuningMsK10: timing,
      reps,
      note: "accuracy over the 7 classes on the faces not used for tuning; recovered = (after - before) / (unshifted - before); tuning time of 40 faces (10 per expression), after one warm-up tuning",
      commit: benchCommit()
    };
    if (flags.write) {
      writeBenchResult(flags.write, result);
      process.stderr.write(`bench personal: wrote ${flags.write}\n`);
    }
    return result;
  } finally {
    await browser.close();
    await server.close();
  }
}
