import {afterAll, beforeAll, describe, expect, it} from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {errorLines, runCli, writeToyModelFolder} from "./helpers.js";
import {loadModelFolder} from "../../tools/model-io.js";
import {syntheticDataset} from "../../tools/synthetic.js";
import {splitIndices} from "../../src/lib/dataset.js";
import {facesToInput} from "../../src/lib/preprocess.js";
import {predictFaces} from "../../src/lib/predict.js";
import {evaluatePredictions, meanProbabilities} from "../../src/lib/evaluation.js";
import {initTrainingBackend} from "../../engine/backend.js";

const temp = fs.mkdtempSync(path.join(os.tmpdir(), "fer-ensemble-search-"));
const dirs = [path.join(temp, "a"), path.join(temp, "b")];
afterAll(() => fs.rmSync(temp, {recursive: true, force: true}));
beforeAll(async () => {
  await writeToyModelFolder(dirs[0], {seed: 3});
  await writeToyModelFolder(dirs[1], {seed: 8});
});

describe("npm run ensemble-search", () => {
  it("scores each candidate and their mean on PublicTest, as evaluatePredictions scores the mean of predictFaces's probabilities", async () => {
    const {code, stdout, stderr} = await runCli("ensemble-search", ["--models", dirs.join(","), "--tta", "--synthetic", "21"]);
    expect(errorLines(stderr)).toEqual([]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({split: "PublicTest", faces: 21, tta: "flip"});
    expect(result.best.length).toBe(3);
    // The same numbers from the library: each folder mirrored through predictFaces, then the mean.
    await initTrainingBackend({prefer: "wasm"});
    const dataset = syntheticDataset(21);
    const indices = splitIndices(dataset, "PublicTest");
    const labels = Uint8Array.from(indices, (i) => dataset.labels[i]);
    const probabilities: Float32Array[] = [];
    for (const dir of dirs) {
      const model = await loadModelFolder(dir);
      probabilities.push(await predictFaces(model, facesToInput(dataset.pixels, indices), {flip: true}));
      model.dispose();
    }
    const pair = result.best.find((entry: {members: string[]}) => entry.members.length === 2);
    expect(pair.accuracy).toBeCloseTo(evaluatePredictions(meanProbabilities(probabilities), labels).accuracy, 10);
    result.candidates.forEach((candidate: {accuracy: number}, k: number) => expect(candidate.accuracy).toBeCloseTo(evaluatePredictions(probabilities[k], labels).accuracy, 10));
    // Best first.
    const accuracies = result.best.map((entry: {accuracy: number}) => entry.accuracy);
    expect(accuracies).toEqual([...accuracies].sort((x, y) => y - x));
  }, 60_000);

  it("with --crops scores each member over the evaluator's ten views, as predictFaces's tta: crops gives them", async () => {
    const {code, stdout, stderr} = await runCli("ensemble-search", ["--models", dirs.join(","), "--crops", "--synthetic", "21"]);
    expect([code, errorLines(stderr)]).toEqual([0, []]);
    const result = JSON.parse(stdout);
    expect(result.tta).toBe("crops");
    await initTrainingBackend({prefer: "wasm"});
    const dataset = syntheticDataset(21);
    const indices = splitIndices(dataset, "PublicTest");
    const labels = Uint8Array.from(indices, (i) => dataset.labels[i]);
    for (const [k, dir] of dirs.entries()) {
      const model = await loadModelFolder(dir);
      const probabilities = await predictFaces(model, facesToInput(dataset.pixels, indices), {tta: "crops"});
      model.dispose();
      expect(result.candidates[k].accuracy).toBeCloseTo(evaluatePredictions(probabilities, labels).accuracy, 10);
    }
    const both = await runCli("ensemble-search", ["--models", dirs.join(","), "--tta", "--crops", "--synthetic", "7"]);
    expect([both.code, errorLines(both.stderr)]).toEqual([1, ["error: --tta and --crops are two test-time options; choose one (--crops includes the mirror images)"]]);
  }, 60_000);

  it("needs two model folders, and says which folder is not one", async () => {
    const one = await runCli("ensemble-search", ["--models", dirs[0], "--synthetic", "7"]);
    expect([one.code, errorLines(one.stderr)]).toEqual([1, ["error: --models needs at least two model folders, separated by commas"]]);
    const missing = await runCli("ensemble-search", ["--models", `${dirs[0]},${temp}`, "--synthetic", "7"]);
    expect([missing.code, errorLines(missing.stderr)]).toEqual([1, [`error: ${temp} is not a model folder: no model.json`]]);
  }, 60_000);
});
