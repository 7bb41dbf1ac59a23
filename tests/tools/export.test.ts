import {afterAll, beforeAll, describe, expect, it} from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {errorLines, runCli, writeToyModelFolder} from "./helpers.js";
import {readJson, writeCalibration, writeJsonAtomic} from "../../tools/model-io.js";
import {readFolderWeights} from "../../tools/model-export.js";
import type {Evaluation, History, ModelMetadata} from "../../src/lib/model-folder.js";

const temp = fs.mkdtempSync(path.join(os.tmpdir(), "fer-export-"));
const runDir = path.join(temp, "run");
const outDir = path.join(temp, "models");
afterAll(() => fs.rmSync(temp, {recursive: true, force: true}));

beforeAll(async () => {
  // A complete run folder, as npm run train leaves it, around an untrained toy model.
  await writeToyModelFolder(runDir, {seed: 5, secondsTrained: 3, publicTestAccuracy: 0.2});
  const history: History = {architecture: "tiny", bestEpoch: 1, epochs: [
    {epoch: 1, trainLoss: 1.9, trainAccuracy: 0.2, publicTestLoss: 1.9, publicTestAccuracy: 0.2, lr: 1e-3, seconds: 3, imagesPerSecond: 12}
  ]};
  writeJsonAtomic(path.join(runDir, "history.json"), history);
  // The report's models folder already ships another model, which an export must leave alone.
  fs.mkdirSync(path.join(outDir, "other"), {recursive: true});
  fs.writeFileSync(path.join(outDir, "other", "marker.txt"), "untouched");
  writeJsonAtomic(path.join(outDir, "models.json"), {default: "other", models: ["other"]});
}, 60_000);

describe("npm run export", () => {
  it("export --quantize uint8 ships a folder evaluate accepts, stamped with its dtype and the float32 accuracy", async () => {
    const evaluated = await runCli("evaluate", ["--model", runDir, "--synthetic", "35", "--backend", "wasm"]);
    expect(evaluated.code).toBe(0);
    const float32 = readJson<Evaluation>(path.join(runDir, "evaluation.json"));
    expect(float32.weights!.dtype).toBe("float32");

    // A stale evaluation in the target folder describes other weights: the export replaces the folder whole.
    fs.mkdirSync(path.join(outDir, "tiny-q"), {recursive: true});
    fs.writeFileSync(path.join(outDir, "tiny-q", "evaluation.json"), "{}");
    const {code, stdout} = await runCli("export", ["--model", runDir, "--name", "tiny-q", "--out", outDir, "--min-elements", "64"]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    const dir = path.join(outDir, "tiny-q");
    expect(fs.readdirSync(dir).sort()).toEqual(["history.json", "metadata.json", "model.json", "weights.bin"]);
    const metadata = readJson<ModelMetadata>(path.join(dir, "metadata.json"));
    const float32Bytes = readFolderWeights(runDir).reduce((sum, w) => sum + w.values.length * 4, 0);
    expect(metadata.quantization).toEqual({
      dtype: "uint8",
      bytes: fs.statSync(path.join(dir, "weights.bin")).size,
      float32Bytes,
      minElements: 64,
      float32Accuracy: {PublicTest: float32.splits.PublicTest.accuracy, PrivateTest: float32.splits.PrivateTest.accuracy}
    });
    expect(metadata.quantization!.bytes).toBeLessThan(float32Bytes / 2);
    expect(result).toMatchObject({name: "tiny-q", default: "other", quantization: metadata.quantization});
    expect(readJson(path.join(dir, "history.json"))).toEqual(readJson(path.join(runDir, "history.json")));
    expect(readJson(path.join(outDir, "models.json"))).toEqual({default: "other", models: ["other", "tiny-q"]});
    expect(fs.readFileSync(path.join(outDir, "other", "marker.txt"), "utf8")).toBe("untouched");

    const quantized = await runCli("evaluate", ["--model", dir, "--synthetic", "35", "--backend", "wasm"]);
    expect(quantized.code).toBe(0);
    const evaluation = readJson<Evaluation>(path.join(dir, "evaluation.json"));
    expect(evaluation.weights).toEqual({dtype: "uint8", bytes: metadata.quantization!.bytes});
    expect(JSON.parse(quantized.stdout).weights).toEqual(evaluation.weights);
  }, 120_000);

  it("export drops a run's calibration, fitted to its float32 weights, for one fitted to the export", async () => {
    const calibratedRun = path.join(temp, "calibrated-run");
    fs.cpSync(runDir, calibratedRun, {recursive: true});
    const scores = {meanConfidence: 0.5, crossEntropy: 1, ece: 0.1};
    writeCalibration(calibratedRun, {temperature: 0.6, split: "PublicTest", faces: 5, tta: "flip", before: scores, after: scores, fittedAt: "2026-12-05T00:00:00.000Z"});
    const shipped = path.join(temp, "models-calibrated");
    const {code} = await runCli("export", ["--model", calibratedRun, "--name", "tiny-c", "--out", shipped, "--min-elements", "64"]);
    expect(code).toBe(0);
    const metadata = readJson<ModelMetadata>(path.join(shipped, "tiny-c", "metadata.json"));
    expect(metadata.calibration).toBeUndefined();
    expect(metadata.quantization?.dtype).toBe("uint8");
  }, 60_000);

  it("export --default names the model default in models.json; re-exporting keeps its place in the list", async () => {
    const {code} = await runCli("export", ["--model", runDir, "--name", "tiny-f16", "--quantize", "float16", "--out", outDir, "--default"]);
    expect(code).toBe(0);
    expect(readJson(path.join(outDir, "models.json"))).toMatchObject({default: "tiny-f16", models: ["other", "tiny-q", "tiny-f16"]});
    const again = await runCli("export", ["--model", runDir, "--name", "tiny-q", "--quantize", "none", "--out", outDir]);
    expect(again.code).toBe(0);
    expect(readJson(path.join(outDir, "models.json"))).toEqual({default: "tiny-f16", models: ["other", "tiny-q", "tiny-f16"]});
    expect(readJson<ModelMetadata>(path.join(outDir, "tiny-q", "metadata.json")).quantization).toMatchObject({dtype: "none"});
    expect(fs.statSync(path.join(outDir, "tiny-q", "weights.bin")).size).toBe(fs.statSync(path.join(runDir, "weights.bin")).size);
  }, 60_000);

  it("export gives one error line and exit 1 without --name, for an unknown --quantize, a bad or reserved name and a missing run", async () => {
    const results = await Promise.all([
      runCli("export", ["--model", runDir]),
      runCli("export", ["--model", runDir, "--name", "x", "--quantize", "int4", "--out", outDir]),
      runCli("export", ["--model", runDir, "--name", "../escape", "--out", outDir]),
      runCli("export", ["--model", path.join(temp, "nope"), "--name", "x", "--out", outDir]),
      runCli("export", ["--model", runDir, "--name", "models.json", "--out", outDir])
    ]);
    expect(errorLines(results[0].stderr)).toEqual(["error: --name NAME is required: the folder name under --out (e.g. fer-lite)"]);
    expect(errorLines(results[1].stderr)).toEqual(['error: --quantize is "int4", expected one of uint8, float16, none']);
    expect(errorLines(results[2].stderr)).toEqual(['error: --name is "../escape", expected a folder name of letters, digits, ".", "_" or "-" (at most 64)']);
    expect(errorLines(results[3].stderr)).toEqual([`error: run folder ${path.join(temp, "nope")} does not exist`]);
    // The model list is a file beside the model folders: a model of that name would replace it.
    expect(errorLines(results[4].stderr)).toEqual(['error: --name is "models.json": a model folder cannot be named like a file (.json, .bin) or a temporary folder']);
    expect(fs.statSync(path.join(outDir, "models.json")).isFile()).toBe(true);
    for (const result of results) expect(result.code).toBe(1);
  }, 60_000);
});

