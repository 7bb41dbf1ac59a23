// Evaluates face-api's own expression model (the classifier page's point of comparison) on FER2013 with the
// project's evaluation (evaluatePredictions, as `npm run evaluate` uses for our models), so the two
// accuracies can be set side by side. Each 48x48 grey face is given to face-api as a grey RGB picture,
// which it resizes to its 112x112 input itself, as it would a face crop from a photo.
// Usage: tsx tools/evaluate-face-api.ts [--data PATH] [--split PrivateTest] [--limit N]; JSON on stdout.

import {createRequire} from "node:module";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import fs from "node:fs";
import path from "node:path";
import {EMOTIONS, SPLITS, type Emotion, type Split} from "../src/lib/labels.js";
import {IMAGE_PIXELS, IMAGE_SIZE, splitIndices} from "../src/lib/dataset.js";
import {evaluatePredictions} from "../src/lib/evaluation.js";
import {loadFer2013} from "./fer2013.js";
import {parseFlags, printJson, runCli} from "./cli.js";

/** face-api's expression names for our classes. */
const FACE_API_EXPRESSIONS: Record<Emotion, string> = {
  angry: "angry", disgust: "disgusted", fear: "fearful", happy: "happy", sad: "sad", surprise: "surprised", neutral: "neutral"
};
const BATCH = 64;

runCli(async () => {
  const {flags} = parseFlags(process.argv.slice(2), {data: "string", split: "string", limit: "number"});
  const split = (flags.split ?? "PrivateTest") as Split;
  if (!SPLITS.includes(split)) throw new Error(`unknown split "${split}", expected one of ${SPLITS.join(", ")}`);
  // The CommonJS build shares Node's tfjs (the ESM one imports tfjs's browser files by path).
  const faceapi = createRequire(import.meta.url)("@vladmandic/face-api/dist/face-api.node-wasm.js");
  if (!(await tf.setBackend("wasm"))) throw new Error("the tfjs wasm backend did not initialise");
  const modelDir = path.join(path.dirname(createRequire(import.meta.url).resolve("@vladmandic/face-api/package.json")), "model");
  const manifest = JSON.parse(fs.readFileSync(path.join(modelDir, "face_expression_model-weights_manifest.json"), "utf8"));
  const weights = fs.readFileSync(path.join(modelDir, "face_expression_model.bin"));
  const buffer = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  faceapi.nets.faceExpressionNet.loadFromWeightMap(tf.io.decodeWeights(buffer, manifest.flatMap((g: {weights: unknown[]}) => g.weights)));

  const dataset = await loadFer2013({path: flags.data, onProgress: () => process.stderr.write(".")});
  let indices = Array.from(splitIndices(dataset, split));
  if (flags.limit) indices = indices.slice(0, flags.limit);
  const probabilities = new Float32Array(indices.length * EMOTIONS.length);
  const start = performance.now();
  for (let from = 0; from < indices.length; from += BATCH) {
    const batch = indices.slice(from, from + BATCH);
    const faces = batch.map((i) =>
      tf.tidy(() => tf.tensor3d(dataset.pixels.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS), [IMAGE_SIZE, IMAGE_SIZE, 1], "float32").tile([1, 1, 3]))
    );
    const results: Record<string, number>[] = await faceapi.nets.faceExpressionNet.predictExpressions(faces);
    faces.forEach((t) => t.dispose());
    results.forEach((expressions, k) =>
      EMOTIONS.forEach((emotion, c) => (probabilities[(from + k) * EMOTIONS.length + c] = expressions[FACE_API_EXPRESSIONS[emotion]]))
    );
    process.stderr.write(`\rface-api expressions: ${Math.min(from + BATCH, indices.length)}/${indices.length}`);
  }
  process.stderr.write("\n");
  const labels = Uint8Array.from(indices, (i) => dataset.labels[i]);
  const {confusion, reliability, ...evaluation} = evaluatePredictions(probabilities, labels);
  printJson({
    model: "face-api face_expression_model (@vladmandic/face-api)",
    split,
    backend: tf.getBackend(),
    seconds: Number(((performance.now() - start) / 1000).toFixed(1)),
    ...evaluation,
    confusion
  });
});
