import {describe, expect, it} from "vitest";
import {createModel, modelSummary} from "../../src/lib/models/index.js";
import {scheduledLr} from "../../src/lib/schedule.js";
import {argmaxRows, confusionMatrix} from "../../src/lib/metrics.js";
import {NUM_CLASSES} from "../../src/lib/labels.js";
import {Random} from "../../src/lib/random.js";
import type {EpochRecord, History, ModelMetadata} from "../../src/lib/model-folder.js";
import {
  confidentCellFaces,
  convBlockOutputs,
  formatBytes,
  formatCount,
  formatDuration,
  formatFlops,
  formatPoints,
  learningRateCurve,
  mostConfidentMistakes,
  rowNormalize,
  selectedEpoch,
  testTimeRows,
  splitAgreement,
  type CellFace,
  type ModelEvaluationReport
} from "../../src/lib/model-pages.js";
import {evaluatePredictions} from "../../src/lib/evaluation.js";

function epoch(epoch: number, publicTestAccuracy: number, lr = 1e-3): EpochRecord {
  return {epoch, trainLoss: 1, trainAccuracy: 0.5, publicTestLoss: 1, publicTestAccuracy, lr, seconds: 10, imagesPerSecond: 100};
}

function metadata(training: Partial<ModelMetadata["training"]>, trainingImages: number): ModelMetadata {
  return {
    training: {batch: 64, epochs: 10, lr: 3e-3, schedule: "onecycle", ...training},
    dataset: {trainingImages, selectionSplit: "PublicTest", selectionImages: 3589}
  } as ModelMetadata;
}

/** Seeded probability rows (each sums to 1) and labels. */
function predictions(count: number, seed = 3): {probabilities: Float32Array; labels: Uint8Array} {
  const random = new Random(seed);
  const probabilities = new Float32Array(count * NUM_CLASSES);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = random.int(NUM_CLASSES);
    const row = Array.from({length: NUM_CLASSES}, () => random.next() + (random.next() < 0.5 ? 0 : 0.2));
    const sum = row.reduce((a, b) => a + b, 0);
    row.forEach((value, k) => (probabilities[i * NUM_CLASSES + k] = value / sum));
  }
  return {probabilities, labels};
}

describe("selectedEpoch", () => {
  it("selectedEpoch(history) is the epoch history.bestEpoch names", () => {
    const history: History = {architecture: "x", epochs: [epoch(1, 0.5), epoch(2, 0.6), epoch(3, 0.55)], bestEpoch: 2};
    expect(selectedEpoch(history)?.epoch).toBe(2);
  });

  it("selectedEpoch(history) falls back to the best PublicTest accuracy, and is null for an empty history", () => {
    expect(selectedEpoch({architecture: "x", epochs: [epoch(1, 0.5), epoch(2, 0.4)], bestEpoch: 0})?.epoch).toBe(1);
    expect(selectedEpoch({architecture: "x", epochs: [], bestEpoch: 0})).toBeNull();
  });
});

describe("learningRateCurve", () => {
  it("learningRateCurve(metadata, history) of a one-cycle run starts each epoch at the rate the trainer recorded", () => {
    const meta = metadata({schedule: "onecycle", batch: 64, epochs: 6, lr: 3e-3}, 6400);
    const stepsPerEpoch = 100;
    const recorded = Array.from({length: 4}, (_, k) => epoch(k + 1, 0.5, scheduledLr("onecycle", k * stepsPerEpoch, {maxLr: 3e-3, totalSteps: 600})));
    const curve = learningRateCurve(meta, {architecture: "x", epochs: recorded, bestEpoch: 4}, {points: 400});
    for (const record of recorded) {
      const start = curve.find((point) => point.epoch === record.epoch - 1);
      expect(start?.lr).toBeCloseTo(record.lr, 12);
    }
    expect(curve[curve.length - 1].epoch).toBeCloseTo(4 - 1 / stepsPerEpoch, 12);
    expect(Math.max(...curve.map((p) => p.lr))).toBeCloseTo(3e-3, 6);
  });

  it("learningRateCurve(metadata, history) of a plateau run is a step per epoch at the recorded rates", () => {
    const history: History = {architecture: "x", epochs: [epoch(1, 0.5, 1e-3), epoch(2, 0.5, 5e-4)], bestEpoch: 1};
    expect(learningRateCurve(metadata({schedule: "plateau"}, 6400), history)).toEqual([
      {epoch: 0, lr: 1e-3}, {epoch: 1, lr: 1e-3}, {epoch: 1, lr: 5e-4}, {epoch: 2, lr: 5e-4}
    ]);
  });
});

describe("rowNormalize", () => {
  it("rowNormalize(matrix) divides each row by its sum and leaves an empty row at zero", () => {
    expect(rowNormalize([[1, 3], [0, 0]])).toEqual([[0.25, 0.75], [0, 0]]);
  });
});

describe("confidentCellFaces", () => {
  it("confidentCellFaces(p, labels) puts every face in the cell of its label and arg-max, most confident first", () => {
    const {probabilities, labels} = predictions(400);
    const cells = confidentCellFaces(probabilities, labels, {perCell: 1000});
    const predicted = argmaxRows(probabilities, NUM_CLASSES);
    const confusion = confusionMatrix(labels, predicted, NUM_CLASSES);
    cells.forEach((row, t) =>
      row.forEach((cell, p) => {
        expect(cell.length).toBe(confusion[t][p]);
        for (const position of cell) expect([labels[position], predicted[position]]).toEqual([t, p]);
        const confidences = cell.map((position) => probabilities[position * NUM_CLASSES + p]);
        expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
      })
    );
  });

  it("confidentCellFaces(p, labels, {perCell}) keeps at most perCell faces per cell, the most confident", () => {
    const {probabilities, labels} = predictions(400);
    const all = confidentCellFaces(probabilities, labels, {perCell: 1000});
    const kept = confidentCellFaces(probabilities, labels, {perCell: 3});
    kept.forEach((row, t) => row.forEach((cell, p) => expect(cell).toEqual(all[t][p].slice(0, 3))));
  });

  it("confidentCellFaces(p, labels) rejects probabilities that do not match the labels", () => {
    expect(() => confidentCellFaces(new Float32Array(13), new Uint8Array(2))).toThrow("expected 14 probabilities, got 13");
  });
});

describe("mostConfidentMistakes", () => {
  it("mostConfidentMistakes(cells) lists wrong predictions only, by falling confidence in the predicted class", () => {
    const face = (id: number, p: number[]): CellFace => ({face: id, p});
    const cells: CellFace[][][] = Array.from({length: 7}, () => Array.from({length: 7}, () => []));
    cells[0][0] = [face(0, [0.99, 0.01, 0, 0, 0, 0, 0])];
    cells[0][3] = [face(1, [0.1, 0, 0, 0.9, 0, 0, 0]), face(2, [0.4, 0, 0, 0.6, 0, 0, 0])];
    cells[2][4] = [face(3, [0, 0, 0.2, 0, 0.8, 0, 0])];
    expect(mostConfidentMistakes(cells).map((m) => [m.face, m.label, m.predicted, m.confidence])).toEqual([
      [1, 0, 3, 0.9], [3, 2, 4, 0.8], [2, 0, 3, 0.6]
    ]);
    expect(mostConfidentMistakes(cells, {limit: 1})).toHaveLength(1);
  });
});

describe("convBlockOutputs", () => {
  it("convBlockOutputs(layers) of fer-lite is each block's last ReLU, before its pooling", () => {
    const model = createModel("fer-lite");
    const blocks = convBlockOutputs(modelSummary(model).layers);
    model.dispose();
    expect(blocks.map((b) => b.layer)).toEqual(["block1_conv1_relu", "block2_conv2_relu", "block3_conv2_relu", "block4_conv2_relu"]);
    expect(blocks.map((b) => b.shape)).toEqual([[48, 48, 24], [24, 24, 48], [12, 12, 96], [6, 6, 192]]);
  });

  it("convBlockOutputs(layers) of seed-vgg skips the pooling and dropout that end its blocks (its ReLU is inside the convolution, batch norm last)", () => {
    const model = createModel("seed-vgg");
    const blocks = convBlockOutputs(modelSummary(model).layers);
    model.dispose();
    expect(blocks.map((b) => b.layer)).toEqual(["block1_conv2_bn", "block2_conv2_bn", "block3_conv2_bn", "block4_conv2_bn"]);
  });
});

describe("formatting", () => {
  it("formatCount, formatBytes, formatFlops and formatDuration write the report's units", () => {
    expect([formatCount(657535), formatCount(7199943), formatCount(1439), formatCount(312)]).toEqual(["658k", "7.20M", "1.4k", "312"]);
    expect([formatBytes(2630140), formatBytes(28799772), formatBytes(5756)]).toEqual(["2.51 MB", "27.5 MB", "6 KB"]);
    expect([formatFlops(108493440), formatFlops(1.1e9), formatFlops(1659104)]).toEqual(["108 MFLOPs", "1.10 GFLOPs", "1.7 MFLOPs"]);
    expect([formatDuration(64), formatDuration(2274), formatDuration(8940)]).toEqual(["64 s", "38 min", "2 h 29 min"]);
  });

  it("formatPoints writes an accuracy difference in signed percentage points", () => {
    expect([formatPoints(0.0047), formatPoints(-0.011), formatPoints(0), formatPoints(0.00475, 2)]).toEqual(["+0.5", "−1.1", "+0.0", "+0.47"]);
  });
});

describe("testTimeRows", () => {
  // Three faces of classes 0, 1, 2; `right` of them predicted right.
  const metrics = (right: number) =>
    evaluatePredictions(Float32Array.from({length: 21}, (_, i) => (Math.floor(i / 7) < right ? (i % 7 === Math.floor(i / 7) ? 1 : 0) : i % 7 === 6 ? 1 : 0)), [0, 1, 2]);
  const report = (name: string, evaluation: ModelEvaluationReport["evaluation"], members?: string[]): ModelEvaluationReport =>
    ({name, isDefault: name === "a", architecture: members ? "ensemble" : "tiny", members, evaluation, source: "committed", cells: null, calibration: null});
  const splits = (right: number) => ({PublicTest: metrics(right), PrivateTest: metrics(right)});

  it("testTimeRows(models, split) gives each option's accuracy and passes per face, null where not measured, and skips unevaluated models", () => {
    const rows = testTimeRows(
      [
        report("a", {splits: splits(1), flipTta: splits(2), cropsTta: splits(3), backend: "wasm", createdAt: ""}),
        report("unevaluated", null),
        report("pair", {splits: splits(2), flipTta: splits(3), backend: "wasm", createdAt: ""}, ["a", "b"])
      ],
      "PrivateTest"
    );
    expect(rows.map((r) => r.name)).toEqual(["a", "pair"]);
    expect(rows[0]).toMatchObject({isDefault: true, options: {none: {accuracy: 1 / 3, passes: 1}, flip: {accuracy: 2 / 3, passes: 2}, crops: {accuracy: 1, passes: 10}}});
    // An ensemble pays every view once per member.
    expect(rows[1].options).toMatchObject({none: {accuracy: 2 / 3, passes: 2}, flip: {accuracy: 1, passes: 4}, crops: null});
  });
});

describe("splitAgreement", () => {
  // Six faces of classes 0-5 per split; `right` of them predicted right.
  const metrics = (right: number) =>
    evaluatePredictions(Float32Array.from({length: 42}, (_, i) => (Math.floor(i / 7) < right ? (i % 7 === Math.floor(i / 7) ? 1 : 0) : i % 7 === 6 ? 1 : 0)), [0, 1, 2, 3, 4, 5]);
  const report = (name: string, publicRight: number | null, privateRight: number, members?: string[]): ModelEvaluationReport => ({
    name, isDefault: name === "a", architecture: members ? "ensemble" : "tiny", members, source: "committed", cells: null, calibration: null,
    evaluation: publicRight === null ? null : {splits: {PublicTest: metrics(publicRight), PrivateTest: metrics(privateRight)}, backend: "wasm", createdAt: ""}
  });

  it("splitAgreement(models) pairs each evaluated model's plain accuracies and gives the mean and spread of PrivateTest minus PublicTest", () => {
    const agreement = splitAgreement([report("a", 3, 4), report("b", 2, 4), report("none", null, 0), report("pair", 4, 4, ["a", "b"])])!;
    expect(agreement.pairs).toEqual([
      {name: "a", isDefault: true, ensemble: false, publicTest: 3 / 6, privateTest: 4 / 6},
      {name: "b", isDefault: false, ensemble: false, publicTest: 2 / 6, privateTest: 4 / 6},
      {name: "pair", isDefault: false, ensemble: true, publicTest: 4 / 6, privateTest: 4 / 6}
    ]);
    // Gaps 1/6, 2/6 and 0: mean 1/6, sample standard deviation 1/6; two models read higher on PrivateTest.
    expect(agreement.meanGap).toBeCloseTo(1 / 6, 10);
    expect(agreement.sdGap).toBeCloseTo(1 / 6, 10);
    expect(agreement.privateHigher).toBe(2);
  });

  it("splitAgreement(models) is null with fewer than two evaluated models", () => {
    expect(splitAgreement([report("a", 3, 4), report("none", null, 0)])).toBeNull();
  });
});
