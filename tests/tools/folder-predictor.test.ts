// openFolderPredictor on toy model folders: two workers must give what predictFaces gives in this thread
// (BatchNorm statistics and uint8-quantized weights included), and folders the workers cannot run fall
// back to predictFaces itself.

import * as tf from "@tensorflow/tfjs";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {writeToyModelFolder} from "../tools/helpers.js";
import {averageWithMirror, openEnsemblePredictor, openFolderPredictor, type FolderPredictor} from "../../tools/folder-predictor.js";
import {initTrainingBackend} from "../../engine/backend.js";
import {loadModelFolder, readJson, saveModelFolder, writeCalibration, writeJsonAtomic} from "../../tools/model-io.js";
import {exportModelFolder} from "../../tools/model-export.js";
import {syntheticDataset} from "../../tools/synthetic.js";
import {facesToInput} from "../../src/lib/preprocess.js";
import {predictFaces} from "../../src/lib/predict.js";
import type {History, ModelMetadata} from "../../src/lib/model-folder.js";

const temp = fs.mkdtempSync(path.join(os.tmpdir(), "fer-folder-predictor-"));
const floatDir = path.join(temp, "tiny");
const PER_SPLIT = 13;
const FACES = PER_SPLIT * 3;
let input: Float32Array;
const opened: FolderPredictor[] = [];

async function open(dir: string, options: Parameters<typeof openFolderPredictor>[1] = {}): Promise<FolderPredictor> {
  const predictor = await openFolderPredictor(dir, {backend: "wasm", ...options});
  opened.push(predictor);
  return predictor;
}

/** What `npm run evaluate` used to run: the folder loaded in this thread, through predictFaces. */
async function inThisThread(dir: string, flip: boolean): Promise<Float32Array> {
  await initTrainingBackend({prefer: "wasm"});
  const model = await loadModelFolder(dir);
  try {
    return await predictFaces(model, input, {flip});
  } finally {
    model.dispose();
  }
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
  return diff;
}

function setArchitecture(dir: string, architecture: string): void {
  const file = path.join(dir, "metadata.json");
  writeJsonAtomic(file, {...readJson<ModelMetadata>(file), architecture});
}

beforeAll(async () => {
  await initTrainingBackend({prefer: "wasm"});
  await writeToyModelFolder(floatDir, {seed: 6});
  // An untrained model's BatchNorm statistics (mean 0, variance 1) are those of any fresh replica: give the
  // folder its own, so only a predictor that copies non-trainable weights into every worker matches.
  const model = await loadModelFolder(floatDir);
  let seed = 3;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
  const weights = model.weights.map((w) => {
    const values = w.read().dataSync() as Float32Array;
    if (w.trainable) return tf.tensor(values, w.shape as number[]);
    const variance = w.originalName.endsWith("moving_variance");
    return tf.tensor(Float32Array.from(values, () => (variance ? 0.5 + random() : random() - 0.5)), w.shape as number[]);
  });
  expect(model.weights.some((w) => !w.trainable)).toBe(true);
  model.setWeights(weights);
  tf.dispose(weights);
  await saveModelFolder(model, floatDir);
  model.dispose();
  const history: History = {architecture: "tiny", bestEpoch: 1, epochs: [
    {epoch: 1, trainLoss: 1.9, trainAccuracy: 0.2, publicTestLoss: 1.9, publicTestAccuracy: 0.2, lr: 1e-3, seconds: 3, imagesPerSecond: 12}
  ]};
  writeJsonAtomic(path.join(floatDir, "history.json"), history);
  input = facesToInput(syntheticDataset(PER_SPLIT).pixels);
}, 60_000);

afterAll(async () => {
  await Promise.all(opened.map((p) => p.dispose()));
  fs.rmSync(temp, {recursive: true, force: true});
});

describe("openFolderPredictor", () => {
  it("openFolderPredictor(dir, {workers: 2}) gives predictFaces's probabilities to 1e-5, with and without flip", async () => {
    const predictor = await open(floatDir, {workers: 2});
    expect(predictor.workers).toBe(2);
    expect(predictor.inProcessReason).toBeNull();
    expect(predictor.backend).toMatch(/^wasm(\+onednn)? x2$/);
    for (const flip of [false, true]) {
      const probabilities = await predictor.predict(input, {flip});
      expect(probabilities.length).toBe(FACES * 7);
      expect(maxDifference(probabilities, await inThisThread(floatDir, flip))).toBeLessThan(1e-5);
    }
    // Flip changes the answer on these faces, so the comparison above covers the mirrored pass.
    expect(maxDifference(await predictor.predict(input), await predictor.predict(input, {flip: true}))).toBeGreaterThan(1e-4);
  }, 60_000);

  it("openFolderPredictor(dir) dequantizes a uint8 export's weights as loadModelFolder does", async () => {
    const {dir} = exportModelFolder({runDir: floatDir, name: "tiny-q", outDir: path.join(temp, "models"), dtype: "uint8", minElements: 64});
    expect(readJson<ModelMetadata>(path.join(dir, "metadata.json")).quantization?.dtype).toBe("uint8");
    const predictor = await open(dir, {workers: 2});
    expect(predictor.workers).toBe(2);
    const quantized = await predictor.predict(input, {flip: true});
    expect(maxDifference(quantized, await inThisThread(dir, true))).toBeLessThan(1e-5);
    expect(maxDifference(quantized, await inThisThread(floatDir, true))).toBeGreaterThan(0);
  }, 60_000);

  it("openFolderPredictor(dir) predicts in this thread with predictFaces for an architecture the registry does not know", async () => {
    const dir = path.join(temp, "unknown");
    fs.cpSync(floatDir, dir, {recursive: true});
    setArchitecture(dir, "no-such-net");
    const predictor = await open(dir, {workers: 2});
    expect(predictor.workers).toBe(0);
    expect(predictor.inProcessReason).toBe('architecture "no-such-net" is not in the model registry');
    expect(predictor.backend).not.toMatch(/x2$/);
    expect(await predictor.predict(input, {flip: true})).toEqual(await inThisThread(dir, true));
  }, 60_000);

  it("openFolderPredictor(dir) predicts in this thread when model.json's weights are not the registry architecture's", async () => {
    const dir = path.join(temp, "mislabelled");
    fs.cpSync(floatDir, dir, {recursive: true});
    setArchitecture(dir, "fer-lite");
    const predictor = await open(dir, {workers: 2});
    expect(predictor.workers).toBe(0);
    expect(predictor.inProcessReason).toMatch(/^the worker threads could not run it: the registry's "fer-lite" has weights block1_conv1\/kernel \[3,3,1,\d+\]/);
    expect(await predictor.predict(input)).toEqual(await inThisThread(dir, false));
  }, 60_000);

  it("openFolderPredictor(dir) carries metadata.json's calibrated temperature (1 without one) and predicts the network's probabilities", async () => {
    const dir = path.join(temp, "calibrated");
    fs.cpSync(floatDir, dir, {recursive: true});
    const scores = {meanConfidence: 0.5, crossEntropy: 1, ece: 0.1};
    writeCalibration(dir, {temperature: 0.7, split: "PublicTest", faces: 13, tta: "none", before: scores, after: scores, fittedAt: "2026-12-05T00:00:00.000Z"});
    const [plain, calibrated] = [await open(floatDir, {workers: 2}), await open(dir, {workers: 2})];
    expect([plain.temperature, calibrated.temperature]).toEqual([1, 0.7]);
    expect(await calibrated.predict(input)).toEqual(await plain.predict(input));
  }, 60_000);

  it("openFolderPredictor(dir, {workers: 1}) predicts in this thread and says why", async () => {
    const predictor = await open(floatDir, {workers: 1});
    expect([predictor.workers, predictor.inProcessReason]).toEqual([0, "1 worker thread asked for"]);
    expect(await predictor.predict(input)).toEqual(await inThisThread(floatDir, false));
  }, 60_000);
});

describe("openEnsemblePredictor", () => {
  it("openEnsemblePredictor(dirs) gives the mean of its members' probabilities, test-time options applied to each", async () => {
    const otherDir = path.join(temp, "tiny-other");
    await writeToyModelFolder(otherDir, {seed: 11});
    const ensemble = await openEnsemblePredictor([floatDir, otherDir], {backend: "wasm", workers: 2, temperature: 0.6});
    try {
      expect(ensemble.members.map((member) => member.workers)).toEqual([2, 2]);
      // Its own temperature, for whoever reports its probabilities; the mean is of the members' networks.
      expect(ensemble.temperature).toBe(0.6);
      expect(ensemble.inProcessReason).toBeNull();
      for (const flip of [false, true]) {
        const [a, b] = [await inThisThread(floatDir, flip), await inThisThread(otherDir, flip)];
        const mean = await ensemble.predict(input, {flip});
        expect(maxDifference(mean, a.map((p, i) => (p + b[i]) / 2))).toBeLessThan(1e-5);
        // The members disagree, so the mean is neither of them.
        expect(maxDifference(mean, a)).toBeGreaterThan(1e-4);
      }
    } finally {
      await ensemble.dispose();
    }
  }, 60_000);

  it("openEnsemblePredictor(dirs) refuses fewer than two members and closes what it opened when a member fails", async () => {
    await expect(openEnsemblePredictor([floatDir])).rejects.toThrow("an ensemble needs at least 2 member folders, got 1");
    await expect(openEnsemblePredictor([floatDir, path.join(temp, "missing")], {backend: "wasm", workers: 2})).rejects.toThrow(/metadata\.json/);
  }, 60_000);
});

describe("averageWithMirror(plain, mirrored)", () => {
  it("averages each probability with its mirror's in float32 and rejects arrays of different lengths", () => {
    const plain = Float32Array.of(0.1, 0.7, 0.2);
    const mirrored = Float32Array.of(0.3, 0.5, 0.2);
    expect(averageWithMirror(plain, mirrored)).toEqual(Float32Array.from([0.1 + 0.3, 0.7 + 0.5, 0.2 + 0.2], (v) => Math.fround(v) / 2));
    expect(plain).toEqual(Float32Array.of(0.1, 0.7, 0.2));
    expect(() => averageWithMirror(plain, mirrored.subarray(1))).toThrow("averageWithMirror: 3 and 2 probabilities");
  });
});
