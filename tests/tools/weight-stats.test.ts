import {afterAll, describe, expect, it} from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {errorLines, runCli, writeToyModelFolder} from "./helpers.js";
import {readJson} from "../../tools/model-io.js";

const temp = fs.mkdtempSync(path.join(os.tmpdir(), "fer-weight-stats-"));
afterAll(() => fs.rmSync(temp, {recursive: true, force: true}));

interface Stats {
  folder: string;
  epoch: number | null;
  byKind: Record<string, number>;
  weights: {name: string; shape: number[]; rms: number; mean: number}[];
}

describe("npm run weight-stats", () => {
  it("weight-stats DIR DIR gives each folder's RMS by kind and per trainable weight, quantized weights decoded", async () => {
    const toy = path.join(temp, "toy");
    await writeToyModelFolder(toy, {seed: 4});
    const shipped = "src/models/fer-tail-ct4";
    const {code, stdout} = await runCli("weight-stats", [toy, shipped]);
    expect(code).toBe(0);
    const [ofToy, ofShipped] = JSON.parse(stdout) as Stats[];
    expect(ofToy.folder).toBe(toy);
    expect(Object.keys(ofToy.byKind).sort()).toEqual(["batchnorm scale", "batchnorm shift", "bias", "conv kernel", "dense kernel"]);
    // An untrained model: BatchNorm scales start at 1 and shifts at 0; no moving statistics among the weights.
    expect([ofToy.byKind["batchnorm scale"], ofToy.byKind["batchnorm shift"]]).toEqual([1, 0]);
    expect(ofToy.weights.some((w) => /moving/.test(w.name))).toBe(false);
    const metadata = readJson<{bestEpoch: number; params: number}>(path.join(shipped, "metadata.json"));
    expect(ofShipped.epoch).toBe(metadata.bestEpoch);
    expect(ofShipped.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0)).toBe(metadata.params - movingStatistics(shipped));
    expect(ofShipped.weights.every((w) => w.rms > 0)).toBe(true);
  }, 60_000);

  it("weight-stats without a folder, or with one that holds no model, gives one error line", async () => {
    const none = await runCli("weight-stats", []);
    expect([none.code, errorLines(none.stderr)]).toEqual([1, ["error: name at least one model folder: npm run weight-stats -- DIR [DIR...]"]]);
    const empty = await runCli("weight-stats", [temp]);
    expect([empty.code, errorLines(empty.stderr)]).toEqual([1, [`error: no model in ${temp}: ${path.join(temp, "model.json")} not found`]]);
  }, 60_000);
});

/** The BatchNorm moving means and variances a model.json lists, which metadata.params counts but no step trains. */
function movingStatistics(dir: string): number {
  const model = readJson<{weightsManifest: {weights: {name: string; shape: number[]}[]}[]}>(path.join(dir, "model.json"));
  return model.weightsManifest.flatMap((g) => g.weights).filter((w) => /moving_/.test(w.name)).reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
}
