import {afterAll, beforeAll, describe, expect, it} from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {errorLines, runCli, writeToyModelFolder} from "./helpers.js";
import {loadModelFolder, readJson, writeCalibration} from "../../tools/model-io.js";
import {syntheticDataset} from "../../tools/synthetic.js";
import {splitIndices} from "../../src/lib/dataset.js";
import {facesToInput} from "../../src/lib/preprocess.js";
import {predictFaces} from "../../src/lib/predict.js";
import {evaluatePredictions} from "../../src/lib/evaluation.js";
import {withTemperature, type Evaluation} from "../../src/lib/model-folder.js";

const temp = fs.mkdtempSync(path.join(os.tmpdir(), "fer-evaluate-"));
const modelDir = path.join(temp, "tiny");
afterAll(() => fs.rmSync(temp, {recursive: true, force: true}));

beforeAll(() => writeToyModelFolder(modelDir, {seed: 4}));

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

  it("evaluate reports a calibrated model's probabilities: the network's at its temperature, after each test-time option's averaging", async () => {
    const calibrated = path.join(temp, "calibrated");
    fs.cpSync(modelDir, calibrated, {recursive: true});
    const scores = {meanConfidence: 0.5, crossEntropy: 1, ece: 0.1};
    writeCalibration(calibrated, {temperature: 0.5, split: "PublicTest", faces: 35, tta: "flip", before: scores, after: scores, fittedAt: "2026-12-05T00:00:00.000Z"});
    const {code, stdout} = await runCli("evaluate", ["--model", calibrated, "--tta", "--synthetic", "35", "--backend", "wasm"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).temperature).toBe(0.5);
    const evaluation = readJson<Evaluation>(path.join(calibrated, "evaluation.json"));
    const uncalibrated = readJson<Evaluation>(path.join(modelDir, "evaluation.json"));
    expect([evaluation.temperature, uncalibrated.temperature]).toEqual([0.5, 1]);
    const dataset = syntheticDataset(35);
    const model = await loadModelFolder(modelDir);
    const indices = splitIndices(dataset, "PrivateTest");
    const labels = Uint8Array.from(indices, (i) => dataset.labels[i]);
    const input = facesToInput(dataset.pixels, indices);
    const plain = evaluatePredictions(withTemperature(await predictFaces(model, input), 0.5), labels);
    const flipped = evaluatePredictions(withTemperature(await predictFaces(model, input, {flip: true}), 0.5), labels);
    model.dispose();
    expect(evaluation.splits.PrivateTest.loss).toBeCloseTo(plain.loss, 5);
    expect(evaluation.splits.PrivateTest.ece).toBeCloseTo(plain.ece, 5);
    expect(evaluation.flipTta!.PrivateTest.loss).toBeCloseTo(flipped.loss, 5);
    // Only the confidences move: every prediction, and so every count, is the uncalibrated model's.
    expect(evaluation.splits.PrivateTest.confusion).toEqual(uncalibrated.splits.PrivateTest.confusion);
    expect(evaluation.flipTta!.PrivateTest.confusion).toEqual(uncalibrated.flipTta!.PrivateTest.confusion);
    expect(evaluation.splits.PrivateTest.loss).not.toBeCloseTo(uncalibrated.splits.PrivateTest.loss, 3);
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
    expect(errorLines(results[1].stderr)).toEqual([
      `error: ${notModel} holds no model.json and is not an ensemble of ${path.join(path.dirname(notModel), "models.json")}: expected a model folder written by npm run train or npm run export`
    ]);
    expect(errorLines(results[2].stderr)[0]).toMatch(`error: fer2013 not found at ${missing}`);
    for (const result of results) {
      expect(errorLines(result.stderr)).toHaveLength(1);
      expect(result.code).toBe(1);
    }
  }, 60_000);

  it("evaluate names the model file when its weights are truncated or empty or its topology is null", async () => {
    const broken = (name: string, change: (dir: string) => void) => {
      const dir = path.join(temp, name);
      fs.cpSync(modelDir, dir, {recursive: true});
      change(dir);
      return dir;
    };
    const weightsBytes = fs.statSync(path.join(modelDir, "weights.bin")).size;
    const truncated = broken("truncated", (dir) => fs.truncateSync(path.join(dir, "weights.bin"), 100));
    const empty = broken("empty-weights", (dir) => fs.truncateSync(path.join(dir, "weights.bin"), 0));
    const nullTopology = broken("null-topology", (dir) => {
      const file = path.join(dir, "model.json");
      fs.writeFileSync(file, JSON.stringify({...JSON.parse(fs.readFileSync(file, "utf8")), modelTopology: null}));
    });
    const results = await Promise.all([truncated, empty, nullTopology].map((dir) => runCli("evaluate", ["--model", dir, "--synthetic", "35", "--backend", "wasm"])));
    expect(results.map((r) => errorLines(r.stderr))).toEqual([
      [`error: ${path.join(truncated, "model.json")}: its weights take ${weightsBytes} bytes, but the weight files hold 100 (truncated?)`],
      [`error: ${path.join(empty, "model.json")}: its weights take ${weightsBytes} bytes, but the weight files hold 0 (truncated?)`],
      [`error: ${path.join(nullTopology, "model.json")}: no model topology (expected a tfjs layers model.json)`]
    ]);
    for (const result of results) expect(result.code).toBe(1);
  }, 60_000);
});
