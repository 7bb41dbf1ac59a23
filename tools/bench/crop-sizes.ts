// `npm run bench -- crop-sizes [--scenes 1000] [--seed 21] [--sets "1;0.9,1,1.1"] [--model NAME]`: which crop
// sizes a photo's faces should be read at (face-crop.ts's PHOTO_CROP_SCALES). The photo pipeline replayed in
// Node on the pipeline bench's scenes (tools/scenes.ts: PrivateTest faces pasted 40-456 px tall, tilted up to
// ±30°, seeded): the page's face finder (src/lib/face-finder.ts, photo mode, on tfjs's WebAssembly backend),
// the page's crop (cropFace with `scales`), the model (default: the report's default) on each size and its mirror
// image, averaged. Each set of sizes is scored on the same found faces, misses counted wrong, beside the model
// on the faces' original 48x48 crops (one pass and mirror-averaged). Node, not Chromium: no timings here (the
// pipeline bench has them), and the same arithmetic as the page (face-crop.ts's tests check Node and the page
// agree). Needs FER2013. Only aggregates are printed.

import path from "node:path";
import {parseFlags} from "../cli.js";
import {fer2013Available, loadFer2013} from "../fer2013.js";
import {assign, poolFace, sceneSet, type FacePool} from "../scenes.js";
import {defaultArchitecture, loadModelFolder, SHIPPED_MODELS_DIR} from "../model-io.js";
import {splitIndices} from "../../src/lib/dataset.js";
import {cropFace} from "../../src/lib/face-crop.js";
import {facesToInput} from "../../src/lib/preprocess.js";
import {predictFaces} from "../../src/lib/predict.js";
import {NUM_CLASSES} from "../../src/lib/labels.js";
import {createNodeFaceFinder, useWasmBackend} from "../detectors.js";

const DEFAULT_SETS = "1;0.9,1,1.1;0.85,1,1.15;0.8,1,1.2;0.9,0.95,1,1.05,1.1;0.8,0.9,1,1.1,1.2";

function log(message: string): void {
  process.stderr.write(`bench crop-sizes: ${message}\n`);
}

/** "1;0.9,1,1.1" -> [[1], [0.9, 1, 1.1]]: each set must hold 1 (the crop the page shows). */
export function parseSets(text: string): number[][] {
  const sets = text.split(";").map((set) => set.split(",").map(Number));
  for (const set of sets) {
    if (!set.every((k) => k > 0) || !set.includes(1)) throw new Error(`invalid --sets "${text}": each set is positive scales, separated by commas, and holds 1 (sets separated by semicolons)`);
  }
  return sets;
}

function argmax(p: Float32Array, at: number): number {
  let k = 0;
  for (let c = 1; c < NUM_CLASSES; c++) if (p[at + c] > p[at + k]) k = c;
  return k;
}

export async function runBench(argv: string[]): Promise<object> {
  const {flags} = parseFlags(argv, {scenes: "number", seed: "number", sets: "string", model: "string"});
  const faceScenes = flags.scenes ?? 1000, seed = flags.seed ?? 21;
  const sets = parseSets(flags.sets ?? DEFAULT_SETS);
  if (!(Number.isInteger(faceScenes) && faceScenes >= 1)) throw new Error(`invalid --scenes ${faceScenes}: expected a whole number, at least 1`);
  if (!fer2013Available()) throw new Error("the crop-sizes bench needs FER2013 (its PrivateTest faces): set FER2013_PATH or put it in data/fer2013");
  await useWasmBackend();
  const modelName = flags.model ?? defaultArchitecture();
  const model = await loadModelFolder(path.join(SHIPPED_MODELS_DIR, modelName));
  const finder = await createNodeFaceFinder();
  const dataset = await loadFer2013();
  const pool: FacePool = {pixels: dataset.pixels, labels: dataset.labels, indices: splitIndices(dataset, "PrivateTest")};

  // Every scale any set uses, 1 first: one crop of each per found face.
  const scales = [1, ...new Set(sets.flat().filter((k) => k !== 1))];
  const faces: {label: number; size: number; found: boolean}[] = [];
  const crops: Float32Array[][] = scales.map(() => []);
  const originals: Uint8Array[] = [];
  const started = Date.now();
  let done = 0;
  for (const scene of sceneSet({seed, faceScenes, emptyScenes: 0, pool})) {
    const detections = finder.detect(scene.image, "photo");
    const {faceToDetection} = assign(detections, scene.faces);
    scene.faces.forEach((face, k) => {
      const d = faceToDetection[k];
      faces.push({label: face.label, size: face.size, found: d >= 0});
      originals.push(Uint8Array.from(poolFace(pool, face.index)));
      if (d < 0) return scales.forEach((_, s) => crops[s].push(new Float32Array(0)));
      const crop = cropFace(scene.image, detections[d], {scales});
      crops[0].push(crop.input);
      crop.views!.forEach((view, s) => crops[s + 1].push(view));
    });
    if (++done % 100 === 0) log(`${done}/${faceScenes} scenes, ${faces.length} faces, ${((Date.now() - started) / done).toFixed(0)} ms a scene`);
  }

  const found = faces.map((f, i) => (f.found ? i : -1)).filter((i) => i >= 0);
  const batch = (inputs: Float32Array[]) => {
    const out = new Float32Array(inputs.length * inputs[0].length);
    inputs.forEach((input, i) => out.set(input, i * input.length));
    return out;
  };
  // Mirror-averaged probabilities of each scale, for the found faces.
  const byScale = await Promise.all(scales.map((_, s) => predictFaces(model, batch(found.map((i) => crops[s][i])), {flip: true})));
  const originalPixels = new Uint8Array(originals.length * originals[0].length);
  originals.forEach((pixels, i) => originalPixels.set(pixels, i * pixels.length));
  const originalInput = facesToInput(originalPixels);
  const originalPlain = await predictFaces(model, originalInput);
  const originalFlip = await predictFaces(model, originalInput, {flip: true});

  const over100 = (i: number) => faces[i].size >= 100;
  const share = (correct: (i: number) => boolean, which: (i: number) => boolean) => {
    const chosen = faces.map((_, i) => i).filter(which);
    return Number((chosen.filter(correct).length / chosen.length).toFixed(4));
  };
  const foundAt = new Map(found.map((i, j) => [i, j]));
  const setRows = sets.map((set) => {
    const mean = new Float32Array(NUM_CLASSES * found.length);
    for (const k of set) byScale[scales.indexOf(k)].forEach((v, j) => (mean[j] += v / set.length));
    const correct = (i: number) => foundAt.has(i) && argmax(mean, foundAt.get(i)! * NUM_CLASSES) === faces[i].label;
    return {scales: set, passes: 2 * set.length, over100: share(correct, over100), all: share(correct, () => true)};
  });
  const originalRow = (p: Float32Array) => {
    const correct = (i: number) => argmax(p, i * NUM_CLASSES) === faces[i].label;
    return {over100: share(correct, over100), all: share(correct, () => true)};
  };
  return {
    bench: "crop-sizes",
    seed,
    scenes: faceScenes,
    model: modelName,
    faces: {all: faces.length, over100: faces.filter((_, i) => over100(i)).length, found: found.length, foundOver100: found.filter(over100).length},
    note: "share of pasted PrivateTest faces read right (misses wrong), photo finder replayed in Node on wasm; each set averages its crop sizes, each mirror-averaged",
    sets: setRows,
    originalCrops: {onePass: originalRow(originalPlain), mirrored: originalRow(originalFlip)},
    seconds: Math.round((Date.now() - started) / 1000)
  };
}
