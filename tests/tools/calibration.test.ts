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
import {calibration, crossEntropy, fitTemperature} from "../../src/lib/metrics.js";
import {softenedByTemperature} from "../../src/lib/targets.js";
import {initTrainingBackend} from "../../engine/backend.js";

const temp = fs.mkdtempSync(path.join(os.tmpdir(), "fer-calibration-"));
const dirs = [path.join(temp, "a"), path.join(temp, "b")];
afterAll(() => fs.rmSync(temp, {recursive: true, force: true}));
beforeAll(async () => {
  await writeToyModelFolder(dirs[0], {seed: 3});
  await writeToyModelFolder(dirs[1], {seed: 8});
});

interface Confidence {meanConfidence: number; crossEntropy: number; ece: number}
interface Result {split: string; faces: number; tta: string; models: {model: string; accuracy: number; before: Confidence; temperature: number; after: Confidence}[]}

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

  it("needs a model folder, one test-time option at most, and nothing but flags", async () => {
    const none = await runCli("calibration", ["--synthetic", "7"]);
    expect([none.code, errorLines(none.stderr)]).toEqual([1, ["error: --models needs at least one model folder (several separated by commas)"]]);
    const both = await runCli("calibration", ["--models", dirs[0], "--tta", "--crops", "--synthetic", "7"]);
    expect([both.code, errorLines(both.stderr)]).toEqual([1, ["error: --tta and --crops are two test-time options; choose one (--crops includes the mirror images)"]]);
    const stray = await runCli("calibration", [dirs[0]]);
    expect([stray.code, errorLines(stray.stderr)]).toEqual([1, [`error: unexpected argument "${dirs[0]}"; flags start with --`]]);
  }, 60_000);
});
