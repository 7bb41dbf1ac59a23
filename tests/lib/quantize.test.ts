import * as tf from "@tensorflow/tfjs";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {afterAll, describe, expect, it} from "vitest";
import {
  dequantizeUint8,
  encodeWeights,
  float16Bits,
  float16Value,
  quantizeFloat16,
  quantizeUint8,
  storedBytes,
  storedDtype,
  type NamedWeight
} from "../../src/lib/quantize.js";
import {loadModelFolder, saveModelFolder} from "../../tools/model-io.js";
import {createModel} from "../../src/lib/models/index.js";
import {Random} from "../../src/lib/random.js";

await tf.setBackend("cpu");

const temp = fs.mkdtempSync(path.join(os.tmpdir(), "fer-quantize-"));
afterAll(() => fs.rmSync(temp, {recursive: true, force: true}));

function randomValues(count: number, seed: number, {low = -1, high = 1} = {}): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({length: count}, () => low + (high - low) * random.next());
}

/** What tfjs's own decoder makes of one manifest entry and its bytes. */
function tfjsDecode(spec: tf.io.WeightsManifestEntry, bytes: Uint8Array): Float32Array {
  const copy = bytes.slice().buffer;
  const tensor = tf.io.decodeWeights(copy, [spec])[spec.name];
  const values = tensor.dataSync() as Float32Array;
  tensor.dispose();
  return values;
}

describe("quantizeUint8", () => {
  it("quantizeUint8(values) round-trips each value to within scale / 2", () => {
    for (const [seed, low, high] of [[1, -1, 1], [2, -0.02, 0.5], [3, 3, 7]]) {
      const values = randomValues(5000, seed, {low, high});
      const quantized = quantizeUint8(values);
      const restored = dequantizeUint8(quantized);
      const min = values.reduce((a, b) => Math.min(a, b));
      const max = values.reduce((a, b) => Math.max(a, b));
      expect(quantized.min).toBe(min);
      expect(quantized.scale).toBeCloseTo((max - min) / 255, 12);
      // Float32 storage of the dequantized value adds at most half an ulp of the largest magnitude.
      const bound = quantized.scale / 2 + Math.max(Math.abs(min), Math.abs(max)) * 2 ** -24;
      const worst = values.reduce((w, v, i) => Math.max(w, Math.abs(v - restored[i])), 0);
      expect(worst).toBeLessThanOrEqual(bound);
      expect(Math.max(...quantized.codes)).toBe(255);
      expect(Math.min(...quantized.codes)).toBe(0);
    }
  });

  it("quantizeUint8(values) keeps a constant tensor exact with scale 0", () => {
    const quantized = quantizeUint8(new Float32Array(10).fill(0.25));
    expect(quantized.scale).toBe(0);
    expect([...dequantizeUint8(quantized)]).toEqual(new Array(10).fill(0.25));
  });

  it("quantizeUint8(values) rejects NaN, naming the value's index", () => {
    expect(() => quantizeUint8(Float32Array.of(1, NaN))).toThrow("quantizeUint8: value 1 is NaN, expected a finite number");
  });
});

describe("float16", () => {
  it("float16Bits(value) gives the exact bits of numbers half precision can hold", () => {
    expect(float16Bits(0)).toBe(0x0000);
    expect(float16Bits(-0)).toBe(0x8000);
    expect(float16Bits(1)).toBe(0x3c00);
    expect(float16Bits(-2)).toBe(0xc000);
    expect(float16Bits(65504)).toBe(0x7bff);
    expect(float16Bits(2 ** -24)).toBe(0x0001);
    expect(float16Bits(2 ** -14)).toBe(0x0400);
    expect(float16Bits(Infinity)).toBe(0x7c00);
    expect(float16Bits(1e6)).toBe(0x7c00);
  });

  it("float16Bits(value) rounds to nearest, ties to even", () => {
    expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(float16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
    expect(float16Bits(2 ** -26)).toBe(0x0000);
    expect(float16Bits(3 * 2 ** -26)).toBe(0x0001);
  });

  it("quantizeFloat16(values) decodes through tfjs to within half precision's rounding (2^-11 relative)", () => {
    const values = Float32Array.from(randomValues(4000, 7), (v, i) => v * 10 ** ((i % 9) - 6));
    const bits = quantizeFloat16(values);
    const decoded = tfjsDecode({name: "w", shape: [values.length], dtype: "float32", quantization: {dtype: "float16"}}, new Uint8Array(bits.buffer));
    values.forEach((v, i) => {
      expect(decoded[i]).toBe(float16Value(bits[i]));
      // Subnormal halves have a fixed step of 2^-24 instead of a relative one.
      expect(Math.abs(decoded[i] - v)).toBeLessThanOrEqual(Math.max(Math.abs(v) * 2 ** -11, 2 ** -25));
    });
  });
});

describe("encodeWeights", () => {
  const weights: NamedWeight[] = [
    {name: "conv/kernel", shape: [3, 3, 4, 8], dtype: "float32", values: randomValues(288, 11, {low: -0.3, high: 0.4})},
    {name: "bn/moving_variance", shape: [8], dtype: "float32", values: randomValues(8, 12, {low: 0.1, high: 2})},
    {name: "step", shape: [2], dtype: "int32", values: Int32Array.of(3, -4)}
  ];

  it("encodeWeights(weights, {dtype: 'uint8'}) writes a manifest tf.io.decodeWeights dequantizes to the same values", () => {
    const {specs, data} = encodeWeights(weights, {dtype: "uint8", minElements: 100});
    expect(specs.map((s) => s.quantization?.dtype ?? s.dtype)).toEqual(["uint8", "float32", "int32"]);
    expect(specs[0]).toMatchObject({name: "conv/kernel", shape: [3, 3, 4, 8], dtype: "float32"});
    expect(data.byteLength).toBe(288 + 8 * 4 + 2 * 4);
    expect(specs.reduce((sum, spec) => sum + storedBytes(spec), 0)).toBe(data.byteLength);
    const decoded = tf.io.decodeWeights(data.slice().buffer, specs);
    const expected = dequantizeUint8(quantizeUint8(weights[0].values));
    expect([...(decoded["conv/kernel"].dataSync() as Float32Array)]).toEqual([...expected]);
    // Weights below minElements, and integers, are stored unchanged.
    expect([...(decoded["bn/moving_variance"].dataSync() as Float32Array)]).toEqual([...weights[1].values]);
    expect([...(decoded["step"].dataSync() as Int32Array)]).toEqual([3, -4]);
    tf.dispose(Object.values(decoded));
    expect(storedDtype(specs)).toBe("uint8");
  });

  it("encodeWeights(weights, {dtype: 'float16', minElements: 0}) stores every float32 weight in two bytes", () => {
    const {specs, data} = encodeWeights(weights, {dtype: "float16", minElements: 0});
    expect(specs.map((s) => s.quantization?.dtype ?? s.dtype)).toEqual(["float16", "float16", "int32"]);
    expect(data.byteLength).toBe((288 + 8) * 2 + 2 * 4);
    const decoded = tf.io.decodeWeights(data.slice().buffer, specs);
    const variance = decoded["bn/moving_variance"].dataSync() as Float32Array;
    weights[1].values.forEach((v, i) => expect(Math.abs(variance[i] - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11));
    tf.dispose(Object.values(decoded));
    expect(storedDtype(specs)).toBe("float16");
  });

  it("encodeWeights(weights, {dtype: 'none'}) is the float32 layout tfjs itself saves", () => {
    const {specs, data} = encodeWeights(weights, {dtype: "none"});
    expect(specs.every((s) => !s.quantization)).toBe(true);
    expect(new Float32Array(data.slice(0, 288 * 4).buffer)).toEqual(weights[0].values);
    expect(storedDtype(specs)).toBe("float32+int32");
  });

  it("encodeWeights rejects a weight whose values do not fill its shape", () => {
    const bad: NamedWeight = {name: "dense/kernel", shape: [2, 3], dtype: "float32", values: new Float32Array(5)};
    expect(() => encodeWeights([bad], {dtype: "uint8"})).toThrow("weight dense/kernel has 5 values, expected 6 for shape [2, 3]");
  });
});

describe("a quantized model folder", () => {
  /** A tiny convnet with every weight (BN statistics included) random, as after training. */
  async function trainedLikeModel(): Promise<tf.LayersModel> {
    const model = createModel("tiny", {seed: 3});
    let seed = 20;
    model.setWeights(
      model.weights.map((w) => {
        const name = w.originalName;
        const shape = w.shape.map(Number);
        if (name.endsWith("moving_variance")) return tf.randomUniform(shape, 0.2, 2, "float32", seed++);
        if (name.endsWith("gamma")) return tf.randomUniform(shape, 0.5, 1.5, "float32", seed++);
        return tf.randomUniform(shape, -0.4, 0.4, "float32", seed++);
      })
    );
    return model;
  }

  /** Saves `model` with float32 weights, then rewrites its folder with the weights encoded as `dtype`. */
  async function saveQuantized(model: tf.LayersModel, dir: string, dtype: "uint8" | "float16"): Promise<NamedWeight[]> {
    await saveModelFolder(model, dir);
    const json = JSON.parse(fs.readFileSync(path.join(dir, "model.json"), "utf8"));
    const weights: NamedWeight[] = model.weights.map((w) => ({name: w.originalName, shape: w.shape.map(Number), dtype: "float32", values: w.read().dataSync() as Float32Array}));
    const {specs, data} = encodeWeights(weights, {dtype, minElements: 64});
    expect(json.weightsManifest[0].weights.map((w: {name: string}) => w.name)).toEqual(specs.map((s) => s.name));
    json.weightsManifest = [{paths: ["weights.bin"], weights: specs}];
    fs.writeFileSync(path.join(dir, "model.json"), JSON.stringify(json));
    fs.writeFileSync(path.join(dir, "weights.bin"), data);
    return weights;
  }

  it("loadModelFolder(dir) restores uint8 weights as tfjs dequantizes them, and predicts close to float32", async () => {
    const model = await trainedLikeModel();
    const dir = path.join(temp, "uint8");
    const weights = await saveQuantized(model, dir, "uint8");
    const loaded = await loadModelFolder(dir);
    const kernel = weights.find((w) => w.name.endsWith("kernel") && w.values.length >= 64)!;
    const restored = loaded.weights.find((w) => w.originalName === kernel.name)!.read().dataSync();
    expect([...restored]).toEqual([...dequantizeUint8(quantizeUint8(kernel.values))]);

    const faces = tf.randomUniform([16, 48, 48, 1], 0, 1, "float32", 99);
    const before = (model.predict(faces) as tf.Tensor).dataSync() as Float32Array;
    const after = (loaded.predict(faces) as tf.Tensor).dataSync() as Float32Array;
    const worst = before.reduce((w, p, i) => Math.max(w, Math.abs(p - after[i])), 0);
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThan(0.02);
    expect(fs.statSync(path.join(dir, "weights.bin")).size).toBeLessThan(weights.reduce((s, w) => s + w.values.length * 4, 0) / 2);
    faces.dispose();
  });

  it("loadModelFolder(dir) loads float16 weights that predict within 1e-3 of float32", async () => {
    const model = await trainedLikeModel();
    const dir = path.join(temp, "float16");
    await saveQuantized(model, dir, "float16");
    const loaded = await loadModelFolder(dir);
    const faces = tf.randomUniform([16, 48, 48, 1], 0, 1, "float32", 98);
    const before = (model.predict(faces) as tf.Tensor).dataSync() as Float32Array;
    const after = (loaded.predict(faces) as tf.Tensor).dataSync() as Float32Array;
    expect(before.reduce((w, p, i) => Math.max(w, Math.abs(p - after[i])), 0)).toBeLessThan(1e-3);
    faces.dispose();
  });
});
