import {afterAll, beforeAll, describe, expect, it} from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {errorLines, runCli, writeToyModelFolder} from "./helpers.js";
import {loadModelFolder, readJson} from "../../tools/model-io.js";
import {syntheticDataset} from "../../tools/synthetic.js";
import {splitIndices} from "../../src/lib/dataset.js";
import {facesToInput} from "../../src/lib/preprocess.js";
import {predictFaces} from "../../src/lib/predict.js";
import {calibration, crossEntropy, fitTemperature} from "../../src/lib/metrics.js";
import {softenedByTemperature} from "../../src/lib/targets.js";
import {initTrainingBackend} from "../../engine/backend.js";
import {validateMetadata, type ModelCalibration} from "../../src/lib/model-folder.js";
import {parseModelsIndex} from "../../src/lib/models-index.js";

const temp = fs.mkdtempSync(path.join(os.tmpdir(), "fer-calibration-"));
const dirs = [path.join(temp, "a"), path.join(temp, "b")];
afterAll(() => fs.rmSync(temp, {recursive: true, force: true}));
beforeAll(async () => {
  await writeToyModelFolder(dirs[0], {seed: 3});
  await writeToyModelFolder(dirs[1], {seed: 8});
});

interface Confidence {meanConfidence: number; crossEntropy: number; ece: number}
interface Result {
  split: string;
  faces: number;
  tta: string;
  models: {model: string; accuracy: number; currentTemperature: number; before: Confidence; temperature: number; after: Confidence}[];
  written?: string[];
}

describe("npm run calibration", () => {
  it("gives each model's confidence on PublicTest before and after the temperature fitTemperature finds, as the library computes them", async () => {
    const {code, stdout, stderr} = await runCli("calibration", ["--models", dirs.join(","), "--tta", "--synthetic", "40"]);
    expect([code, errorLines(stderr)]).toEqual([0, []]);
    const result = JSON.parse(stdout) as Result;
    expect(result).toMatchObject({split: "PublicTest", faces: 40, tta: "flip"});
    expect(result.models.map((m) => m.model)).toEqual(dirs.map((dir) => path.relative(process.cwd(), dir)));
    // The same numbers from the library: each folder mirrored through predictFaces.
    await initTrainingBackend({prefer: "wasm"});
    const dataset = syntheticDataset(40);
    const indices = splitIndices(dataset, "PublicTest");
    const labels = Uint8Array.from(indices, (i) => dataset.labels[i]);
    for (const [k, dir] of dirs.entries()) {
      const model = await loadModelFolder(dir);
      const probabilities = await predictFaces(model, facesToInput(dataset.pixels, indices), {flip: true});
      model.dispose();
      const reported = result.models[k];
      expect(reported.temperature).toBeCloseTo(fitTemperature(probabilities, labels), 4);
      expect(reported.before.crossEntropy).toBeCloseTo(crossEntropy(probabilities, labels), 4);
      expect(reported.before.ece).toBeCloseTo(calibration(probabilities, labels).ece, 4);
      const scaled = softenedByTemperature(probabilities, {classes: 7, temperature: reported.temperature});
      expect(reported.after.crossEntropy).toBeCloseTo(crossEntropy(scaled, labels), 4);
      // Fitted on these faces: the cross-entropy can only fall.
      expect(reported.after.crossEntropy).toBeLessThanOrEqual(reported.before.crossEntropy + 1e-9);
    }
  }, 60_000);

  it("--write stores each fit as the model's calibration in metadata.json, fitted to the network's probabilities whatever the model carries", async () => {
    const models = path.join(temp, "models");
    fs.cpSync(dirs[0], path.join(models, "a"), {recursive: true});
    fs.cpSync(dirs[1], path.join(models, "b"), {recursive: true});
    const first = await runCli("calibration", ["--models", path.join(models, "a"), "--synthetic", "40", "--write"]);
    expect([first.code, errorLines(first.stderr)]).toEqual([0, []]);
    const fitted = (JSON.parse(first.stdout) as Result).models[0];
    expect(fitted.currentTemperature).toBe(1);
    const file = path.join(models, "a", "metadata.json");
    const stored = validateMetadata(readJson(file), file).calibration!;
    expect(stored).toMatchObject({temperature: fitted.temperature, split: "PublicTest", faces: 40, tta: "none", before: fitted.before, after: fitted.after});
    expect(Date.parse(stored.fittedAt)).not.toBeNaN();
    // Once stored, the model carries it, and fitting again on the same faces finds the same temperature.
    const second = JSON.parse((await runCli("calibration", ["--models", path.join(models, "a"), "--synthetic", "40"])).stdout) as Result;
    expect(second.models[0].currentTemperature).toBe(fitted.temperature);
    expect(second.models[0].temperature).toBeCloseTo(fitted.temperature, 6);
    expect(second.written).toBeUndefined();
    expect(validateMetadata(readJson(file), file).calibration).toEqual(stored);
  }, 60_000);

  it("--write stores an ensemble's fit, on the mean of its members' probabilities, in its models.json entry", async () => {
    const models = path.join(temp, "ensemble-models");
    for (const [k, name] of ["a", "b"].entries()) fs.cpSync(dirs[k], path.join(models, name), {recursive: true});
    const index = {default: "a", models: ["a", "b", {name: "pair", members: ["a", "b"]}]};
    fs.writeFileSync(path.join(models, "models.json"), JSON.stringify(index));
    const {code, stdout, stderr} = await runCli("calibration", ["--models", path.join(models, "pair"), "--tta", "--synthetic", "40", "--write"]);
    expect([code, errorLines(stderr)]).toEqual([0, []]);
    const result = JSON.parse(stdout) as Result;
    expect(result.written).toEqual([path.relative(process.cwd(), path.join(models, "models.json"))]);
    const entry = parseModelsIndex(readJson(path.join(models, "models.json"))).ensembles[0];
    expect(entry).toMatchObject({name: "pair", members: ["a", "b"], calibration: {temperature: result.models[0].temperature, tta: "flip", faces: 40}});
    // The members' own metadata is untouched, and the fit is to their mean.
    expect(readJson<{calibration?: ModelCalibration}>(path.join(models, "a", "metadata.json")).calibration).toBeUndefined();
    await initTrainingBackend({prefer: "wasm"});
    const dataset = syntheticDataset(40);
    const indices = splitIndices(dataset, "PublicTest");
    const labels = Uint8Array.from(indices, (i) => dataset.labels[i]);
    const each: Float32Array[] = [];
    for (const dir of dirs) {
      const model = await loadModelFolder(dir);
      each.push(await predictFaces(model, facesToInput(dataset.pixels, indices), {flip: true}));
      model.dispose();
    }
    const mean = each[0].map((p, i) => (p + each[1][i]) / 2);
    expect(result.models[0].temperature).toBeCloseTo(fitTemperature(mean, labels), 3);
  }, 60_000);

  it("needs a model folder, one test-time option at most, and nothing but flags", async () => {
    const none = await runCli("calibration", ["--synthetic", "7"]);
    expect([none.code, errorLines(none.stderr)]).toEqual([1, ["error: --models needs at least one model folder (several separated by commas)"]]);
    const both = await runCli("calibration", ["--models", dirs[0], "--tta", "--crops", "--synthetic", "7"]);
    expect([both.code, errorLines(both.stderr)]).toEqual([1, ["error: --tta and --crops are two test-time options; choose one (--crops includes the mirror images)"]]);
    const neither = await runCli("calibration", ["--models", temp, "--synthetic", "7"]);
    expect(neither.code).toBe(1);
    expect(errorLines(neither.stderr)[0]).toContain(`${temp} holds no model.json and is not an ensemble`);
    const stray = await runCli("calibration", [dirs[0]]);
    expect([stray.code, errorLines(stray.stderr)]).toEqual([1, [`error: unexpected argument "${dirs[0]}"; flags start with --`]]);
  }, 60_000);
});
