import {afterAll, beforeAll, describe, expect, it} from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {errorLines, runCli} from "./helpers.ts";
import {loadModelFolder, readJson, saveModelFolder, writeJsonAtomic} from "../../training/model-io.ts";
import {syntheticDataset} from "../../training/synthetic.ts";
import {createModel, modelSummary} from "../../src/lib/models/index.ts";
import {EMOTIONS} from "../../src/lib/labels.ts";
import {MODEL_INPUT} from "../../src/lib/preprocess.ts";
import {splitIndices} from "../../src/lib/dataset.ts";
import {facesToInput} from "../../src/lib/preprocess.ts";
import {predictFaces} from "../../src/lib/predict.ts";
import {evaluatePredictions} from "../../src/lib/evaluation.ts";
import type {Evaluation, ModelMetadata} from "../../src/lib/model-folder.ts";

const temp = fs.mkdtempSync(path.join(os.tmpdir(), "fer-evaluate-"));
const modelDir = path.join(temp, "tiny");
afterAll(() => fs.rmSync(temp, {recursive: true, force: true}));

beforeAll(async () => {
  // An untrained toy model in a complete model folder: evaluation only needs it to be deterministic.
  const model = createModel("tiny", {seed: 4});
  await saveModelFolder(model, modelDir);
  const summary = modelSummary(model);
  const metadata: ModelMetadata = {
    format: "fer-model/1", architecture: "tiny", labels: [...EMOTIONS], input: MODEL_INPUT, params: summary.params, flops: summary.flops,
    training: {
      model: "tiny", epochs: 1, batch: 16, seed: 4, optimizer: "adam", lr: 1e-3, schedule: "constant", labelSmoothing: 0, weightDecay: 0,
      classWeights: "none", mixup: 0, erasing: 0, patience: 0, limit: null, workers: 0, augment: {flip: 0.5, shift: 4, rotation: 10, scale: 0.1}
    },
    secondsTrained: 0, bestEpoch: 1, epochsRun: 1, publicTestAccuracy: 0, backend: "wasm", workers: 0,
    dataset: {trainingImages: 35, selectionSplit: "PublicTest", selectionImages: 35}, createdAt: new Date().toISOString()
  };
  writeJsonAtomic(path.join(modelDir, "metadata.json"), metadata);
});

describe("npm run evaluate", () => {
  it("evaluate --model DIR --tta writes evaluation.json for both test splits, equal to predictFaces + evaluatePredictions", async () => {
    const {code, stdout} = await runCli("evaluate", ["--model", modelDir, "--tta", "--synthetic", "35", "--backend", "wasm"]);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    const evaluation = readJson<Evaluation>(path.join(modelDir, "evaluation.json"));
    expect(evaluation).toMatchObject({architecture: "tiny", tta: true});
    expect(Object.keys(evaluation.splits)).toEqual(["PublicTest", "PrivateTest"]);
    expect(Object.keys(evaluation.flipTta!)).toEqual(["PublicTest", "PrivateTest"]);
    expect(summary.PrivateTest).toEqual({
      accuracy: evaluation.splits.PrivateTest.accuracy,
      top2Accuracy: evaluation.splits.PrivateTest.top2Accuracy,
      macroF1: evaluation.splits.PrivateTest.macroF1,
      ece: evaluation.splits.PrivateTest.ece,
      count: 35
    });
    // The same numbers from the library functions the report's loaders call.
    const dataset = syntheticDataset(35);
    const model = await loadModelFolder(modelDir);
    const indices = splitIndices(dataset, "PrivateTest");
    const labels = Uint8Array.from(indices, (i) => dataset.labels[i]);
    const input = facesToInput(dataset.pixels, indices);
    const plain = evaluatePredictions(await predictFaces(model, input), labels);
    const flipped = evaluatePredictions(await predictFaces(model, input, {flip: true}), labels);
    expect(plain.confusion).toEqual(evaluation.splits.PrivateTest.confusion);
    expect(plain.loss).toBeCloseTo(evaluation.splits.PrivateTest.loss, 5);
    expect(flipped.confusion).toEqual(evaluation.flipTta!.PrivateTest.confusion);
    expect(evaluation.splits.PrivateTest.confusion.flat().reduce((a, b) => a + b, 0)).toBe(35);
  }, 60_000);

  it("evaluate gives one error line and exit 1 without --model, for a folder that is not a model, and for missing data", async () => {
    const notModel = path.join(temp, "empty");
    fs.mkdirSync(notModel);
    const missing = path.join(temp, "no-such-fer2013");
    const results = await Promise.all([
      runCli("evaluate", []),
      runCli("evaluate", ["--model", notModel]),
      runCli("evaluate", ["--model", modelDir, "--data", missing])
    ]);
    expect(errorLines(results[0].stderr)).toEqual(["error: --model DIR is required: a model folder written by npm run train"]);
    expect(errorLines(results[1].stderr)).toEqual([`error: cannot read ${path.join(notModel, "metadata.json")}: no such file`]);
    expect(errorLines(results[2].stderr)[0]).toMatch(`error: fer2013 not found at ${missing}`);
    for (const result of results) {
      expect(errorLines(result.stderr)).toHaveLength(1);
      expect(result.code).toBe(1);
    }
  }, 60_000);
});
