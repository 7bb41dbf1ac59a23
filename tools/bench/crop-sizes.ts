// `npm run bench -- crop-sizes [--scenes 1000] [--seed 21] [--sets "1;0.9,1,1.1"] [--model NAME|DIR] [--split PublicTest]`:
// which crop sizes a photo's faces should be read at (face-crop.ts's PHOTO_CROP_SCALES). The photo pipeline replayed
// in Node on the pipeline bench's scenes (tools/photo-replay.ts; tools/scenes.ts: faces of --split pasted 40-456 px
// tall, tilted up to ±30°, seeded): the page's face finder (src/lib/face-finder.ts, photo mode, on tfjs's WebAssembly
// backend), the page's crop (cropFace with `scales`), the model (default: the report's default) on each size and its mirror
// image, averaged. Each set of sizes is scored on the same found faces, misses counted wrong, beside the model
// on the faces' original 48x48 crops (one pass and mirror-averaged). Node, not Chromium: no timings here (the
// pipeline bench has them), and the same arithmetic as the page (face-crop.ts's tests check Node and the page
// agree). Needs FER2013. Only aggregates are printed.

import {parseFlags} from "../cli.js";
import {loadModelFolder, readModelsIndex, resolveModelFolder} from "../model-io.js";
import {parseSplit, replayPhotos} from "../photo-replay.js";
import {predictFaces} from "../../src/lib/predict.js";
import {meanProbabilities} from "../../src/lib/evaluation.js";
import {argmaxRows} from "../../src/lib/metrics.js";
import {NUM_CLASSES} from "../../src/lib/labels.js";

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

export async function runBench(argv: string[]): Promise<object> {
  const {flags} = parseFlags(argv, {scenes: "number", seed: "number", sets: "string", model: "string", split: "string"});
  const faceScenes = flags.scenes ?? 1000, seed = flags.seed ?? 21;
  const split = parseSplit(flags.split, "PublicTest"); // choosing sizes is a choice: made on PublicTest
  const sets = parseSets(flags.sets ?? DEFAULT_SETS);
  const modelName = flags.model ?? readModelsIndex().default;
  const folder = resolveModelFolder(modelName); // before the replay, which takes minutes
  const started = Date.now();
  // Every scale any set uses, 1 first: one crop of each per found face.
  const scales = [1, ...new Set(sets.flat().filter((k) => k !== 1))];
  const {faces, found, crops, originals} = await replayPhotos({split, seed, faceScenes, scales, log, bench: "crop-sizes"});
  const model = await loadModelFolder(folder);

  // Mirror-averaged probabilities of each scale, for the found faces.
  const byScale = await Promise.all(crops.map((input) => predictFaces(model, input, {flip: true})));
  const originalPlain = await predictFaces(model, originals);
  const originalFlip = await predictFaces(model, originals, {flip: true});

  const over100 = (i: number) => faces[i].size >= 100;
  const share = (correct: (i: number) => boolean, which: (i: number) => boolean) => {
    const chosen = faces.map((_, i) => i).filter(which);
    return Number((chosen.filter(correct).length / chosen.length).toFixed(4));
  };
  const foundAt = new Map(found.map((i, j) => [i, j]));
  const setRows = sets.map((set) => {
    const predicted = argmaxRows(meanProbabilities(set.map((k) => byScale[scales.indexOf(k)])), NUM_CLASSES);
    const correct = (i: number) => foundAt.has(i) && predicted[foundAt.get(i)!] === faces[i].label;
    return {scales: set, passes: 2 * set.length, over100: share(correct, over100), all: share(correct, () => true)};
  });
  const originalRow = (p: Float32Array) => {
    const predicted = argmaxRows(p, NUM_CLASSES);
    const correct = (i: number) => predicted[i] === faces[i].label;
    return {over100: share(correct, over100), all: share(correct, () => true)};
  };
  return {
    bench: "crop-sizes",
    seed,
    scenes: faceScenes,
    split,
    model: modelName,
    faces: {all: faces.length, over100: faces.filter((_, i) => over100(i)).length, found: found.length, foundOver100: found.filter(over100).length},
    note: `share of pasted ${split} faces read right (misses wrong), photo finder replayed in Node on wasm; each set averages its crop sizes, each mirror-averaged`,
    sets: setRows,
    originalCrops: {onePass: originalRow(originalPlain), mirrored: originalRow(originalFlip)},
    seconds: Math.round((Date.now() - started) / 1000)
  };
}
