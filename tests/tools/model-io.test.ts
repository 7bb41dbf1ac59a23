import {afterAll, describe, expect, it} from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import {addToModelsFile, defaultArchitecture, loadModelFolder, readModelsIndex, resolveModelFolder, saveModelFolder} from "../../tools/model-io.js";
import {createModel, modelSummary} from "../../src/lib/models/index.js";

const temp = fs.mkdtempSync(path.join(os.tmpdir(), "fer-model-io-"));
afterAll(() => fs.rmSync(temp, {recursive: true, force: true}));

describe("the shipped models (src/models)", () => {
  it("defaultArchitecture() is the registry architecture of models.json's default: small, with a global-average-pooling head", () => {
    const model = createModel(defaultArchitecture());
    const summary = modelSummary(model);
    expect(summary.params).toBeLessThanOrEqual(1_000_000);
    expect(summary.layers.map((l) => l.type)).toContain("GlobalAveragePooling2D");
    // BatchNorm moving statistics are weights but not trainable.
    expect(summary.trainableParams).toBeLessThan(summary.params);
    model.dispose();
  });
});

describe("model folders", () => {
  it("saveModelFolder then loadModelFolder gives the same predictions", async () => {
    const dir = path.join(temp, "tiny");
    const model = createModel("tiny", {seed: 4});
    await saveModelFolder(model, dir);
    const loaded = await loadModelFolder(dir);
    const input = tf.randomUniform([2, 48, 48, 1], 0, 1, "float32", 1);
    const [a, b] = [model, loaded].map((m) => (m.predict(input) as tf.Tensor).dataSync());
    expect(Array.from(b)).toEqual(Array.from(a));
    tf.dispose([model, loaded, input] as never);
  });

  it("loadModelFolder(dir) names the folder when a weight file is truncated, empty or missing, or the topology is null", async () => {
    const dir = path.join(temp, "broken");
    await saveModelFolder(createModel("tiny", {seed: 4}), dir);
    const weights = path.join(dir, "weights.bin");
    const full = fs.readFileSync(weights);
    fs.writeFileSync(weights, full.subarray(0, 100));
    await expect(loadModelFolder(dir)).rejects.toThrow(`${path.join(dir, "model.json")}: its weights take ${full.byteLength} bytes, but the weight files hold 100 (truncated?)`);
    fs.writeFileSync(weights, new Uint8Array(0));
    await expect(loadModelFolder(dir)).rejects.toThrow("but the weight files hold 0 (truncated?)");
    fs.rmSync(weights);
    await expect(loadModelFolder(dir)).rejects.toThrow(`${path.join(dir, "model.json")} lists weight file weights.bin, which is not in ${dir}`);
    fs.writeFileSync(weights, full);
    const json = JSON.parse(fs.readFileSync(path.join(dir, "model.json"), "utf8"));
    fs.writeFileSync(path.join(dir, "model.json"), JSON.stringify({...json, modelTopology: null}));
    await expect(loadModelFolder(dir)).rejects.toThrow(`${path.join(dir, "model.json")}: no model topology (expected a tfjs layers model.json)`);
  });
});

describe("models.json", () => {
  it("addToModelsFile(dir, {name, makeDefault}) creates and extends models.json; readModelsIndex reads it back, default first", () => {
    const dir = path.join(temp, "models");
    fs.mkdirSync(dir);
    expect(() => readModelsIndex(dir)).toThrow(`missing ${path.join(dir, "models.json")}`);
    expect(addToModelsFile(dir, {name: "a", makeDefault: false})).toBe("a");
    expect(addToModelsFile(dir, {name: "b", makeDefault: true})).toBe("b");
    expect(readModelsIndex(dir)).toEqual({default: "b", models: ["b", "a"], ensembles: []});
    expect(() => addToModelsFile(dir, {name: "models.json", makeDefault: false})).toThrow("cannot be named like a file");
    expect(readModelsIndex(dir)).toEqual({default: "b", models: ["b", "a"], ensembles: []});
  });
});

describe("resolveModelFolder(item): a model named on the command line", () => {
  const shippedDir = path.join(temp, "resolve");
  fs.mkdirSync(path.join(shippedDir, "fer-a"), {recursive: true});
  fs.writeFileSync(path.join(shippedDir, "fer-a", "model.json"), "{}");

  it("takes a shipped model's name, or a folder as given (a candidate outside src/models)", () => {
    expect(resolveModelFolder("fer-a", {shippedDir})).toBe(path.join(shippedDir, "fer-a"));
    expect(resolveModelFolder(path.join(shippedDir, "fer-a"), {shippedDir: "/nowhere"})).toBe(path.join(shippedDir, "fer-a"));
  });

  it("refuses a name that is neither, naming the flag and where it looked", () => {
    expect(() => resolveModelFolder("fer-b", {shippedDir, flag: "--models"})).toThrow(/^--models: "fer-b" is neither a model folder nor a model in .*expected model\.json/);
  });
});
