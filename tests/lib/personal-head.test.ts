import {describe, expect, it} from "vitest";
import {headLogits, heldOutMask, tuneHead, validatePersonalModel, type LinearHead} from "../../src/lib/personal-head.js";
import {Random} from "../../src/lib/random.js";

// Three classes on two features: the shipped layer reads class k from feature k (class 2 from neither).
const base: LinearHead = {inputs: 2, classes: 3, kernel: Float32Array.of(4, 0, 0, 0, 4, 0), bias: Float32Array.of(0, 0, 1)};

/** A reader whose class-0 faces land where class 1 does: feature 1 is high for both 0 and 1, feature 0 tells them apart a little. */
function shiftedFaces(count: number, seed: number): {features: Float32Array; labels: number[]} {
  const random = new Random(seed);
  const features: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % 2;
    features.push(label === 0 ? 0.6 + 0.1 * random.next() : 0.1 * random.next(), 1 + 0.1 * random.next());
    labels.push(label);
  }
  return {features: Float32Array.from(features), labels};
}

const accuracy = (head: LinearHead, {features, labels}: {features: Float32Array; labels: number[]}) => {
  const logits = headLogits(head, features);
  return labels.filter((label, r) => logits.subarray(r * 3, r * 3 + 3).indexOf(Math.max(...logits.subarray(r * 3, r * 3 + 3))) === label).length / labels.length;
};

describe("personal head", () => {
  it("headLogits(head, features) is features x kernel + bias", () => {
    expect(Array.from(headLogits(base, Float32Array.of(1, 0, 0, 2)))).toEqual([4, 0, 1, 0, 8, 1]);
  });

  it("tuneHead(base, faces, {classes}) learns a reader the shipped layer misreads, and says so on held-out faces", () => {
    const train = shiftedFaces(40, 1), held = shiftedFaces(20, 2), unseen = shiftedFaces(100, 3);
    expect(accuracy(base, unseen)).toBeLessThan(0.6);
    const result = tuneHead(base, {trainFeatures: train.features, trainLabels: train.labels, heldOutFeatures: held.features, heldOutLabels: held.labels}, {classes: [0, 1], penalty: 0.001, learningRate: 0.5, maxSteps: 2000});
    expect(result.before!).toBeLessThan(0.6);
    expect(result.after!).toBeGreaterThan(0.9);
    expect(accuracy(result.head, unseen)).toBeGreaterThan(0.9);
    expect(result).toMatchObject({heldOut: 20, trained: 40});
    // The base layer is not touched.
    expect(Array.from(base.kernel)).toEqual([4, 0, 0, 0, 4, 0]);
  });

  it("tuneHead is deterministic, and a strong pull keeps the tuned layer near the shipped one", () => {
    const train = shiftedFaces(40, 1), held = shiftedFaces(20, 2);
    const faces = {trainFeatures: train.features, trainLabels: train.labels, heldOutFeatures: held.features, heldOutLabels: held.labels};
    const a = tuneHead(base, faces, {classes: [0, 1], maxSteps: 200});
    expect(tuneHead(base, faces, {classes: [0, 1], maxSteps: 200})).toEqual(a);
    const pulled = tuneHead(base, faces, {classes: [0, 1], penalty: 100, learningRate: 0.005});
    const drift = pulled.head.kernel.reduce((sum, w, j) => sum + Math.abs(w - base.kernel[j]), 0);
    expect(drift).toBeLessThan(0.05);
  });

  it("tuneHead refuses one expression, or a face labelled with an expression not tuned", () => {
    const none = new Float32Array(0);
    expect(() => tuneHead(base, {trainFeatures: Float32Array.of(1, 0), trainLabels: [0], heldOutFeatures: none, heldOutLabels: []}, {classes: [0]})).toThrow("tune at least two expressions");
    expect(() => tuneHead(base, {trainFeatures: Float32Array.of(1, 0), trainLabels: [2], heldOutFeatures: none, heldOutLabels: []}, {classes: [0, 1]})).toThrow("a face is labelled 2, which is not a tuned class (0, 1)");
  });

  it("heldOutMask(labels) holds out every fourth face of each class", () => {
    expect(heldOutMask([0, 0, 0, 0, 1, 1, 1, 1, 0])).toEqual([false, false, false, true, false, false, false, true, false]);
  });

  it("validatePersonalModel(file) accepts what the page saves and names what is wrong otherwise", () => {
    const saved = {format: "fer-personal/1", model: "fer-compact", createdAt: "x", classes: [0, 1], faces: {}, before: 0.5, after: 0.9, normalization: [{layer: "bn", mean: [0.5], variance: [2]}], head: {inputs: 2, classes: 3, kernel: [1, 2, 3, 4, 5, 6], bias: [0, 0, 0]}};
    const expected = {model: "fer-compact", inputs: 2, classes: 3};
    expect(validatePersonalModel(saved, expected)).toEqual(saved);
    expect(() => validatePersonalModel({format: "x"}, expected)).toThrow("this file is not a personal model saved by this page");
    expect(() => validatePersonalModel({...saved, model: "fer-slim"}, expected)).toThrow('this personal model adapts "fer-slim", but the page runs fer-compact: tune again');
    expect(() => validatePersonalModel({...saved, head: {...saved.head, kernel: [1]}}, expected)).toThrow("this personal model's layer is not 2 x 3");
    expect(() => validatePersonalModel({...saved, head: {...saved.head, bias: [0, 0, null]}}, expected)).toThrow("holds values that are not numbers");
    expect(() => validatePersonalModel({...saved, normalization: [{layer: "bn", mean: [1], variance: [-1]}]}, expected)).toThrow("this personal model's normalization is missing or damaged");
  });
});
