import {describe, expect, it} from "vitest";
import {accuracy, argmaxRows, calibration, classMetrics, confidenceScores, confusionMatrix, crossEntropy, fitTemperature, macroF1, pairedComparison, topKAccuracy} from "../../src/lib/metrics.js";
import {softenedByTemperature} from "../../src/lib/targets.js";
import {Random} from "../../src/lib/random.js";
import {evaluatePredictions} from "../../src/lib/evaluation.js";
import {EMOTIONS} from "../../src/lib/labels.js";

// Four rows over three classes; by hand: predictions 0, 1, 2, 1; labels 0, 1, 1, 2.
const P3 = [
  0.7, 0.2, 0.1,
  0.1, 0.8, 0.1,
  0.2, 0.3, 0.5,
  0.3, 0.6, 0.1
];
const L3 = [0, 1, 1, 2];

describe("accuracy and top-k", () => {
  it("accuracy(probabilities, labels) is the share of rows whose arg-max is the label", () => {
    expect(argmaxRows(P3, 3)).toEqual(Int32Array.from([0, 1, 2, 1]));
    expect(accuracy(P3, L3)).toBe(0.5);
  });

  it("topKAccuracy(probabilities, labels, 2) also counts a label ranked second", () => {
    // Row 2: label 1 (0.3) ranks second, a hit; row 3: label 2 (0.1) ranks third, a miss.
    expect(topKAccuracy(P3, L3, 2)).toBe(0.75);
    expect(topKAccuracy(P3, L3, 3)).toBe(1);
  });

  it("topKAccuracy(probabilities, labels) breaks ties toward the lower class index", () => {
    expect(topKAccuracy([0.5, 0.5], [0], 1)).toBe(1);
    expect(topKAccuracy([0.5, 0.5], [1], 1)).toBe(0);
  });

  it("accuracy(probabilities, labels) rejects rows that do not divide", () => {
    expect(() => accuracy([0.1, 0.2, 0.7], [0, 1])).toThrow("do not divide");
  });
});

describe("confusion matrix and per-class metrics", () => {
  it("confusionMatrix(labels, predictions, classes) counts [true][predicted]", () => {
    expect(confusionMatrix(L3, [0, 1, 2, 1], 3)).toEqual([
      [1, 0, 0],
      [0, 1, 1],
      [0, 1, 0]
    ]);
  });

  it("classMetrics(matrix) gives precision, recall, F1 and support per class, 0 where undefined", () => {
    const metrics = classMetrics(confusionMatrix(L3, [0, 1, 2, 1], 3));
    expect(metrics[0]).toEqual({precision: 1, recall: 1, f1: 1, support: 1});
    // Class 1: predicted twice (rows 1, 3), right once; true twice, found once.
    expect(metrics[1]).toEqual({precision: 0.5, recall: 0.5, f1: 0.5, support: 2});
    expect(metrics[2]).toEqual({precision: 0, recall: 0, f1: 0, support: 1});
    expect(macroF1(metrics)).toBeCloseTo(0.5, 12);
  });
});

describe("calibration", () => {
  it("calibration(probabilities, labels, 10) bins top-1 confidence and weighs |accuracy - confidence| by count", () => {
    const {ece, bins} = calibration(P3, L3, 10);
    expect(bins).toHaveLength(10);
    // Confidences 0.7 (right), 0.8 (right), 0.5 (wrong), 0.6 (wrong).
    expect(bins[5]).toEqual({lower: 0.5, upper: 0.6, count: 1, confidence: 0.5, accuracy: 0});
    expect(bins[6].count).toBe(1);
    expect(bins[7]).toMatchObject({count: 1, accuracy: 1});
    expect(bins[8]).toMatchObject({count: 1, accuracy: 1});
    expect(bins[0]).toEqual({lower: 0, upper: 0.1, count: 0, confidence: 0, accuracy: 0});
    expect(ece).toBeCloseTo((0.3 + 0.2 + 0.5 + 0.6) / 4, 6);
  });

  it("calibration puts a confidence of exactly 1 in the last bin", () => {
    expect(calibration([1, 0], [0], 10).bins[9].count).toBe(1);
  });
});

describe("confidenceScores", () => {
  it("confidenceScores(p, labels) gives the mean top-1 probability beside the cross-entropy and ECE of the same rows", () => {
    // Two faces: 0.8 sure and right, 0.6 sure and wrong.
    const p = [0.8, 0.2, 0.4, 0.6];
    const scores = confidenceScores(p, [0, 0]);
    expect(scores.meanConfidence).toBeCloseTo(0.7, 10);
    expect(scores.crossEntropy).toBeCloseTo(crossEntropy(p, [0, 0]), 12);
    expect(scores.ece).toBeCloseTo(calibration(p, [0, 0]).ece, 12);
    expect(scores.ece).toBeCloseTo(0.5 * 0.2 + 0.5 * 0.6, 10);
  });
});

describe("crossEntropy", () => {
  it("crossEntropy(probabilities, labels) is the mean -log p(label), clipped at 1e-7", () => {
    expect(crossEntropy([0.5, 0.5, 0.25, 0.75], [0, 1])).toBeCloseTo(-(Math.log(0.5) + Math.log(0.75)) / 2, 12);
    expect(crossEntropy([1, 0], [1])).toBeCloseTo(-Math.log(1e-7), 6);
  });
});

/**
 * Rows whose labels are drawn from softmax(z) (so those probabilities are calibrated), reported as
 * softmax(z / T): a model whose confidences are off by exactly the temperature T.
 */
function miscalibrated(temperature: number, rows: number, seed: number): {probabilities: Float32Array; labels: Uint8Array} {
  const random = new Random(seed);
  const classes = 7;
  const probabilities = new Float32Array(rows * classes);
  const labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const z = Array.from({length: classes}, () => 2 * random.normal());
    const softmax = (t: number) => { const e = z.map((v) => Math.exp(v / t)); const s = e.reduce((a, b) => a + b); return e.map((v) => v / s); };
    const truth = softmax(1);
    let u = random.next();
    labels[i] = truth.findIndex((p) => (u -= p) < 0);
    if (u >= 0) labels[i] = classes - 1;
    probabilities.set(softmax(temperature), i * classes);
  }
  return {probabilities, labels};
}

describe("fitTemperature", () => {
  it("fitTemperature(probabilities, labels) finds the temperature a model's confidences are off by, within 10% over 4,000 rows", () => {
    for (const off of [0.5, 1, 2]) {
      const {probabilities, labels} = miscalibrated(off, 4000, 11);
      // Reported as softmax(z / off): undoing it takes T = 1 / off.
      expect(fitTemperature(probabilities, labels)).toBeGreaterThan(0.9 / off);
      expect(fitTemperature(probabilities, labels)).toBeLessThan(1.1 / off);
    }
  });

  it("the fitted temperature lowers the cross-entropy and the calibration error and keeps every prediction", () => {
    const {probabilities, labels} = miscalibrated(2.5, 3000, 5);
    const temperature = fitTemperature(probabilities, labels);
    const scaled = softenedByTemperature(probabilities, {classes: 7, temperature});
    expect(crossEntropy(scaled, labels)).toBeLessThan(crossEntropy(probabilities, labels));
    for (const t of [temperature * 0.9, temperature * 1.1]) {
      expect(crossEntropy(softenedByTemperature(probabilities, {classes: 7, temperature: t}), labels)).toBeGreaterThan(crossEntropy(scaled, labels));
    }
    expect(calibration(scaled, labels).ece).toBeLessThan(calibration(probabilities, labels).ece / 2);
    expect(argmaxRows(scaled, 7)).toEqual(argmaxRows(probabilities, 7));
  });

  it("stays inside its bounds and refuses empty input or bounds out of order", () => {
    // Every label is the top class at 0.9: the loss falls as T falls, so T stops at the lower bound.
    const sure = [0.9, 0.1, 0.9, 0.1];
    expect(fitTemperature(sure, [0, 0], {minTemperature: 0.1})).toBeCloseTo(0.1, 4);
    expect(() => fitTemperature([], [])).toThrow(/at least one/);
    expect(() => fitTemperature(sure, [0, 0], {minTemperature: 2, maxTemperature: 1})).toThrow(/0 < min < max/);
  });
});

describe("pairedComparison", () => {
  it("counts the items only the second classifier gets right (gains), only the first (losses), and the net's standard error", () => {
    const a = [true, true, false, false, true, false];
    const b = [true, false, true, true, true, false];
    expect(pairedComparison(a, b)).toEqual({gains: 2, losses: 1, net: 1, standardError: Math.sqrt(3)});
    expect(pairedComparison(b, a)).toEqual({gains: 1, losses: 2, net: -1, standardError: Math.sqrt(3)});
  });

  it("is zero with zero error when both agree everywhere, and refuses lists of different lengths", () => {
    expect(pairedComparison([true, false], [true, false])).toEqual({gains: 0, losses: 0, net: 0, standardError: 0});
    expect(() => pairedComparison([true], [true, false])).toThrow(/same items/);
  });
});

describe("evaluatePredictions", () => {
  it("evaluatePredictions(probabilities, labels) names per-class metrics by emotion and fills every field", () => {
    // Face i is predicted as class i with confidence 0.4; the last face is wrong (label angry).
    const labels = [0, 1, 2, 3, 4, 5, 6, 0];
    const predicted = [0, 1, 2, 3, 4, 5, 6, 6];
    const probabilities = new Float32Array(8 * 7).fill(0.1);
    predicted.forEach((k, i) => (probabilities[i * 7 + k] = 0.4));
    const evaluation = evaluatePredictions(probabilities, labels);
    expect(evaluation.count).toBe(8);
    expect(evaluation.accuracy).toBe(7 / 8);
    expect(Object.keys(evaluation.perClass)).toEqual([...EMOTIONS]);
    expect(evaluation.perClass.angry).toEqual({precision: 1, recall: 0.5, f1: 2 / 3, support: 2});
    expect(evaluation.perClass.neutral).toEqual({precision: 0.5, recall: 1, f1: 2 / 3, support: 1});
    expect(evaluation.confusion[0][6]).toBe(1);
    expect(evaluation.reliability).toHaveLength(10);
    expect(evaluation.ece).toBeCloseTo(Math.abs(7 / 8 - 0.4), 6);
  });

  it("evaluatePredictions rejects a probability array of the wrong length", () => {
    expect(() => evaluatePredictions(new Float32Array(13), [0, 1])).toThrow("expected 14 probabilities, got 13");
  });
});
