// `npm run bench -- photo-models [--models NAME|DIR,...] [--split PublicTest] [--scenes 1000] [--seed 5] [--write FILE]
// [--load "nothing else running"]`: which model reads photos best end to end, measured where models may be chosen (PublicTest by default). The photo panel
// replayed in Node once (tools/photo-replay.ts: the page's face finder and crop on the pipeline bench's generated
// scenes, faces pasted 40-456 px tall and tilted up to ±30°), then every model reads the same found faces as the
// page does (PHOTO_READING: the crop sizes of PHOTO_CROP_SCALES, each as it is and mirrored, averaged), misses
// counted wrong, beside the same model on the faces' original 48x48 crops (one pass, mirrored), predicted on both
// cores as npm run evaluate predicts (tools/folder-predictor.ts). Each model after
// the first is compared with the first face by face (pairedComparison: faces only it reads right, faces only the
// first does, and the net's standard error), and how sure each model says it is on the photos (the network's
// probabilities and the model's at its calibrated temperature: mean confidence, cross-entropy, ECE over the
// found faces; the temperature was fitted on 48x48 crops, so this is how it carries over to photos). --models takes shipped model names (src/models/NAME) or model
// folders (e.g. a candidate exported to runs/candidates); by default every model folder src/models/models.json
// lists, the default first. --write saves the result for the classifier page (src/data/classifier-photo-models.json,
// shipped models only so that a fresh clone reproduces it). Node, not Chromium: the pipeline bench (npm run bench -- pipeline) checks the page
// itself; face-crop.ts's tests check that Node and the page crop alike. Needs FER2013. Only aggregates are printed.

import path from "node:path";
import {parseFlags} from "../cli.js";
import {readModelsIndex, resolveModelFolder} from "../model-io.js";
import {openFolderPredictor} from "../folder-predictor.js";
import {benchCommand, benchCommit, writeBenchResult} from "./record.js";
import {parseSplit, replayPhotos} from "../photo-replay.js";
import {PHOTO_READING} from "../../src/components/classifier/engine.js";
import {argmaxRows, confidenceScores, pairedComparison} from "../../src/lib/metrics.js";
import {withTemperature} from "../../src/lib/model-folder.js";
import {meanProbabilities} from "../../src/lib/evaluation.js";
import {EMOTIONS, NUM_CLASSES} from "../../src/lib/labels.js";

function log(message: string): void {
  process.stderr.write(`bench photo-models: ${message}\n`);
}

const rounded = (scores: Record<string, number>) => Object.fromEntries(Object.entries(scores).map(([key, value]) => [key, Number(value.toFixed(4))]));
const share = (correct: boolean[], which: number[]) => Number((which.filter((i) => correct[i]).length / which.length).toFixed(4));

export async function runBench(argv: string[]): Promise<object> {
  const {flags} = parseFlags(argv, {models: "string", split: "string", scenes: "number", seed: "number", write: "string", load: "string"});
  const split = parseSplit(flags.split, "PublicTest");
  const faceScenes = flags.scenes ?? 1000, seed = flags.seed ?? 5;
  const index = readModelsIndex();
  const items = flags.models ? flags.models.split(",").filter(Boolean) : index.models;
  const folders = items.map((item) => resolveModelFolder(item, {flag: "--models"}));
  const scales = [...PHOTO_READING.scales!];
  const started = Date.now();
  const replay = await replayPhotos({split, seed, faceScenes, scales, log, bench: "photo-models"});
  const {faces, found} = replay;
  log(`${faces.length} faces, ${found.length} found, ${((Date.now() - started) / 1000).toFixed(0)} s; reading them with ${folders.length} models`);

  const all = faces.map((_, i) => i), over100 = all.filter((i) => faces[i].size >= 100);
  const correctOf = (probabilities: Float32Array, rows: number[]) => {
    const correct: boolean[] = faces.map(() => false);
    argmaxRows(probabilities, NUM_CLASSES).forEach((k, j) => (correct[rows[j]] = k === faces[rows[j]].label));
    return correct;
  };
  const foundLabels = Uint8Array.from(found, (i) => faces[i].label);
  type Confidence = ReturnType<typeof confidenceScores>;
  const readings: {name: string; folder: string; photo: boolean[]; originalPlain: boolean[]; originalFlip: boolean[]; confidence: {temperature: number; network: Confidence; calibrated: Confidence}}[] = [];
  for (const [k, folder] of folders.entries()) {
    // Both cores, as npm run evaluate predicts (tools/folder-predictor.ts).
    const predictor = await openFolderPredictor(folder);
    try {
      const views: Float32Array[] = [];
      for (const input of replay.crops) views.push(await predictor.predict(input, {flip: PHOTO_READING.flip}));
      // The crop sizes averaged, as the page does; then the model's temperature, as the page applies it.
      const network = meanProbabilities(views);
      const {temperature} = predictor;
      readings.push({
        name: items[k],
        folder: path.relative(process.cwd(), folder),
        photo: correctOf(network, found),
        confidence: {temperature, network: confidenceScores(network, foundLabels), calibrated: confidenceScores(withTemperature(network, temperature), foundLabels)},
        originalPlain: correctOf(await predictor.predict(replay.originals), all),
        originalFlip: correctOf(await predictor.predict(replay.originals, {flip: true}), all)
      });
    } finally {
      await predictor.dispose();
    }
    log(`${items[k]}: photos ${(share(readings[k].photo, all) * 100).toFixed(1)}%, original crops mirrored ${(share(readings[k].originalFlip, all) * 100).toFixed(1)}%`);
  }
  const reference = readings[0];
  const byClass = (correct: boolean[]) => Object.fromEntries(
    EMOTIONS.map((emotion, c) => {
      const rows = all.filter((i) => faces[i].label === c);
      return [emotion, rows.length ? share(correct, rows) : null];
    })
  );
  const result = {
    bench: "photo-models",
    command: benchCommand("photo-models", argv),
    date: new Date().toISOString().slice(0, 10),
    commit: benchCommit(),
    load: flags.load ?? "other load not recorded",
    default: index.default,
    split,
    seed,
    scenes: faceScenes,
    faces: {all: faces.length, over100: over100.length, found: found.length},
    reading: {scales, flip: PHOTO_READING.flip},
    note: `share of pasted ${split} faces read right (misses wrong): photo = the page's photo reading of the found faces, original = the model on the faces' own 48x48 crops; vs = faces only this model reads right (gains) and only ${reference.name} does (losses); confidence = on the found faces' photo reading, the network's and the model's (at its calibrated temperature) mean top-1 probability, cross-entropy and expected calibration error`,
    models: readings.map((r) => ({
      name: r.name,
      folder: r.folder,
      photo: {all: share(r.photo, all), over100: share(r.photo, over100), recallByClass: byClass(r.photo)},
      original: {onePass: share(r.originalPlain, all), mirrored: share(r.originalFlip, all)},
      confidence: {temperature: r.confidence.temperature, network: rounded(r.confidence.network), calibrated: rounded(r.confidence.calibrated)},
      ...(r === reference ? {} : {vs: {photo: pairedComparison(reference.photo, r.photo), originalMirrored: pairedComparison(reference.originalFlip, r.originalFlip)}})
    })),
    seconds: Math.round((Date.now() - started) / 1000)
  };
  if (flags.write) {
    writeBenchResult(flags.write, result);
    log(`wrote ${flags.write}`);
  }
  return result;
}
