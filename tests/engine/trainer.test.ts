import {fileURLToPath} from "node:url";
import {afterAll, describe, expect, it} from "vitest";
import {createTrainer, type ModelSource, type Trainer} from "../../engine/trainer.js";
import {shardRanges} from "../../engine/batch.js";

const REFERENCE_MODELS = fileURLToPath(new URL("../../engine/reference-models.ts", import.meta.url));
const SIZE = 16;
const CLASSES = 7;

function model(name: string): ModelSource {
  return {module: REFERENCE_MODELS, exportName: "createReferenceModel", name, options: {inputSize: SIZE, classes: CLASSES}};
}

/** Each class lights its own 4x4 patch over seeded noise, so a small convnet can learn it in a few steps. */
function syntheticBatch(count: number, seed: number): {xs: Float32Array; labels: Int32Array} {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) >>> 0) / 4294967296);
  const xs = new Float32Array(count * SIZE * SIZE);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % CLASSES;
    labels[i] = label;
    const top = 4 * Math.floor(label / 3);
    const left = 4 * (label % 3) + 2;
    for (let p = 0; p < SIZE * SIZE; p++) {
      const y = Math.floor(p / SIZE);
      const x = p % SIZE;
      const inPatch = y >= top && y < top + 4 && x >= left && x < left + 4;
      xs[i * SIZE * SIZE + p] = 0.3 * random() + (inPatch ? 0.7 : 0);
    }
  }
  return {xs, labels};
}

/** `count` seeded probability rows (teachers' targets). */
function softRows(count: number, seed: number): Float32Array {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) >>> 0) / 4294967296);
  const rows = Float32Array.from({length: count * CLASSES}, () => 0.05 + random());
  for (let i = 0; i < count; i++) {
    const row = rows.subarray(i * CLASSES, (i + 1) * CLASSES);
    const sum = row.reduce((a, b) => a + b, 0);
    row.forEach((v, c) => (row[c] = v / sum));
  }
  return rows;
}

function maxRelativeDifference(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

const opened: Trainer[] = [];
async function open(options: Parameters<typeof createTrainer>[0]): Promise<Trainer> {
  const trainer = await createTrainer({backend: "wasm", ...options});
  opened.push(trainer);
  return trainer;
}

afterAll(async () => {
  await Promise.all(opened.map((t) => t.dispose()));
});

describe("createTrainer", () => {
  it("shardRanges(count, parts) covers the batch with contiguous shards differing by at most one", () => {
    expect(shardRanges(9, 2)).toEqual([{start: 0, count: 5}, {start: 5, count: 4}]);
    expect(shardRanges(1, 2)).toEqual([{start: 0, count: 1}, {start: 1, count: 0}]);
  });

  it("with 2 workers follows the in-process trainer's loss trajectory and weights on the same batches", async () => {
    const optimizer = {name: "adam" as const, learningRate: 0.01};
    const local = await open({model: model("tiny"), optimizer, workers: 0, seed: 3});
    const parallel = await open({model: model("tiny"), optimizer, workers: 2, seed: 5});
    expect(parallel.workers).toBe(2);
    expect(parallel.backend).toBe("wasm");
    await parallel.setWeights(await local.getWeights());
    for (let step = 0; step < 5; step++) {
      // 9 images: unequal shards (5 and 4) exercise the size-weighted gradient average.
      const batch = syntheticBatch(9, 100 + step);
      const expected = await local.step(batch);
      const actual = await parallel.step(batch);
      expect(Math.abs(actual.loss - expected.loss) / expected.loss).toBeLessThan(1e-4);
      expect(actual.accuracy).toBeCloseTo(expected.accuracy, 6);
    }
    const localWeights = await local.getWeights();
    const parallelWeights = await parallel.getWeights();
    localWeights.forEach((w, i) => expect(maxRelativeDifference(parallelWeights[i].values, w.values)).toBeLessThan(1e-4));
    const probe = syntheticBatch(5, 999).xs;
    expect(maxRelativeDifference(await parallel.predict(probe), await local.predict(probe))).toBeLessThan(1e-4);
  });

  it("with 2 pure-wasm workers reduces the loss of a BatchNorm/separable/dropout model within a few steps on a tiny synthetic set", async () => {
    const trainer = await open({model: model("tiny-bn"), optimizer: {name: "adam", learningRate: 0.02}, workers: 2, seed: 1, native: false});
    const batch = syntheticBatch(28, 7);
    const first = await trainer.step(batch);
    let last = first;
    for (let step = 0; step < 14; step++) last = await trainer.step(batch);
    expect(last.loss).toBeLessThan(first.loss * 0.6);
    const probabilities = await trainer.predict(batch.xs);
    expect(probabilities.length).toBe(28 * CLASSES);
    for (let i = 0; i < 28; i++) {
      const row = probabilities.subarray(i * CLASSES, (i + 1) * CLASSES);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
  });

  it("getWeights + getOptimizerState restore a run so that it continues exactly (resume)", async () => {
    const optimizer = {name: "sgd" as const, learningRate: 0.05, momentum: 0.9};
    const batches = [0, 1, 2].map((k) => syntheticBatch(8, 40 + k));
    const straight = await open({model: model("tiny"), optimizer, workers: 2, seed: 11});
    const initial = await straight.getWeights();
    for (const batch of batches) await straight.step(batch);
    const resumed = await open({model: model("tiny"), optimizer, workers: 0, seed: 12});
    await resumed.setWeights(initial);
    await resumed.step(batches[0]);
    await resumed.step(batches[1]);
    const weights = await resumed.getWeights();
    const state = await resumed.getOptimizerState();
    expect(state.iterations).toBe(2);
    await resumed.setWeights(initial);
    await resumed.setWeights(weights);
    await resumed.setOptimizerState(state);
    await resumed.step(batches[2]);
    const expected = await straight.getWeights();
    const actual = await resumed.getWeights();
    expected.forEach((w, i) => expect(maxRelativeDifference(actual[i].values, w.values)).toBeLessThan(1e-4));
  });

  it("two 2-worker runs with the same seed (dropout included) end with bit-identical weights", async () => {
    const run = async () => {
      const trainer = await open({model: model("tiny-bn"), optimizer: {name: "adam", learningRate: 0.01}, workers: 2, seed: 9});
      for (let step = 0; step < 3; step++) await trainer.step(syntheticBatch(10, 60 + step));
      const weights = await trainer.getWeights();
      await trainer.dispose();
      return weights;
    };
    const [a, b] = [await run(), await run()];
    a.forEach((w, i) => expect(Array.from(b[i].values)).toEqual(Array.from(w.values)));
  });

  it("the same seed gives the same initial weights", async () => {
    const optimizer = {name: "adam" as const, learningRate: 0.001};
    const a = await (await open({model: model("tiny"), optimizer, workers: 0, seed: 21})).getWeights();
    const b = await (await open({model: model("tiny"), optimizer, workers: 0, seed: 21})).getWeights();
    a.forEach((w, i) => expect(Array.from(b[i].values)).toEqual(Array.from(w.values)));
  });

  it("a distillation loss is Hinton's: (1 - w) CE(label, softmax(z)) + w T^2 CE(teachers, softmax(z / T)), labels and teachers side by side", async () => {
    const [weight, temperature] = [0.3, 2];
    const trainer = await open({model: model("tiny"), optimizer: {name: "adam", learningRate: 0.01}, workers: 0, seed: 4, loss: {distillation: {weight, temperature}}});
    expect([trainer.numClasses, trainer.targetWidth]).toEqual([CLASSES, 2 * CLASSES]);
    const {xs, labels} = syntheticBatch(6, 21);
    const teachers = softRows(6, 5);
    const targets = new Float32Array(6 * 2 * CLASSES);
    labels.forEach((label, i) => {
      targets[i * 2 * CLASSES + label] = 1;
      targets.set(teachers.subarray(i * CLASSES, (i + 1) * CLASSES), i * 2 * CLASSES + CLASSES);
    });
    // "tiny" has neither dropout nor BatchNorm: inference probabilities are the ones the step's loss sees.
    const p = await trainer.predict(xs);
    let expected = 0;
    for (let i = 0; i < 6; i++) {
      const logits = Array.from(p.subarray(i * CLASSES, (i + 1) * CLASSES), Math.log);
      const scaled = logits.map((z) => z / temperature);
      const logSum = Math.log(scaled.reduce((sum, z) => sum + Math.exp(z), 0));
      const soft = -scaled.reduce((sum, z, c) => sum + teachers[i * CLASSES + c] * (z - logSum), 0);
      expected += ((1 - weight) * -logits[labels[i]] + weight * temperature ** 2 * soft) / 6;
    }
    const {loss} = await trainer.step({xs, targets});
    expect(loss).toBeCloseTo(expected, 4);
  });

  it("a distillation loss of weight 0 trains as the label alone, and of weight 1 at T 1 as the teachers' targets alone", async () => {
    // SGD, so that the weights move in proportion to the gradients: Adam divides each gradient by its own
    // running size, which turns float32 rounding in a near-zero gradient into a full step (1.6e-4 of the
    // first kernel after 3 steps with oneDNN's kernels on an AMD EPYC, 6.4e-5 on wasm alone), against 2e-7 with SGD.
    const optimizer = {name: "sgd" as const, learningRate: 0.05, momentum: 0.9};
    const {xs, labels} = syntheticBatch(9, 33);
    const teachers = softRows(9, 8);
    const oneHot = new Float32Array(9 * CLASSES);
    labels.forEach((label, i) => (oneHot[i * CLASSES + label] = 1));
    const side = new Float32Array(9 * 2 * CLASSES);
    for (let i = 0; i < 9; i++) {
      side.set(oneHot.subarray(i * CLASSES, (i + 1) * CLASSES), i * 2 * CLASSES);
      side.set(teachers.subarray(i * CLASSES, (i + 1) * CLASSES), i * 2 * CLASSES + CLASSES);
    }
    for (const [weight, plainTargets] of [[0, oneHot], [1, teachers]] as const) {
      const plain = await open({model: model("tiny"), optimizer, workers: 0, seed: 6});
      const distilled = await open({model: model("tiny"), optimizer, workers: 0, seed: 6, loss: {distillation: {weight, temperature: 1}}});
      for (let step = 0; step < 3; step++) {
        const expected = await plain.step({xs, targets: plainTargets});
        const actual = await distilled.step({xs, targets: side});
        expect(actual.loss).toBeCloseTo(expected.loss, 5);
        // Accuracy is always against the label (the teachers' top class may differ).
        if (weight === 0) expect(actual.accuracy).toBe(expected.accuracy);
      }
      const [a, b] = [await plain.getWeights(), await distilled.getWeights()];
      // Float32 rounding (log of a renormalised softmax) differs in the last bits: about 2e-7 of each tensor's scale.
      a.forEach((w, i) => expect(maxRelativeDifference(b[i].values, w.values)).toBeLessThan(1e-5));
    }
  });

  it("with a distillation loss, 2 workers follow the in-process trainer: each reads its shard's rows at the wider stride", async () => {
    const options = {model: model("tiny"), optimizer: {name: "adam" as const, learningRate: 0.01}, loss: {distillation: {weight: 0.5, temperature: 2}}};
    const local = await open({...options, workers: 0, seed: 2});
    const parallel = await open({...options, workers: 2, seed: 9});
    await parallel.setWeights(await local.getWeights());
    for (let step = 0; step < 4; step++) {
      const {xs, labels} = syntheticBatch(9, 40 + step);
      const teachers = softRows(9, 50 + step);
      const targets = new Float32Array(9 * 2 * CLASSES);
      labels.forEach((label, i) => {
        targets[i * 2 * CLASSES + label] = 1;
        targets.set(teachers.subarray(i * CLASSES, (i + 1) * CLASSES), i * 2 * CLASSES + CLASSES);
      });
      const [expected, actual] = [await local.step({xs, targets}), await parallel.step({xs, targets})];
      expect(Math.abs(actual.loss - expected.loss) / expected.loss).toBeLessThan(1e-4);
      expect(actual.accuracy).toBeCloseTo(expected.accuracy, 6);
    }
    const [a, b] = [await local.getWeights(), await parallel.getWeights()];
    a.forEach((w, i) => expect(maxRelativeDifference(b[i].values, w.values)).toBeLessThan(1e-4));
  });

  it("a distillation loss needs targets twice as wide as the classes, and a weight in [0, 1]", async () => {
    const trainer = await open({model: model("tiny"), optimizer: {name: "adam", learningRate: 0.001}, workers: 0, loss: {distillation: {weight: 0.5, temperature: 2}}});
    const {xs, labels} = syntheticBatch(2, 1);
    await expect(trainer.step({xs, labels})).rejects.toThrow("trainer.step: a distillation loss needs targets (the label's 7 values, then the teachers'), not labels");
    await expect(trainer.step({xs, targets: new Float32Array(2 * CLASSES)})).rejects.toThrow("trainer.step: targets has 14 values, expected 2 x 14");
    await expect(open({model: model("tiny"), optimizer: {name: "adam", learningRate: 0.001}, workers: 0, loss: {distillation: {weight: 1.5, temperature: 2}}})).rejects.toThrow(
      "distillation.weight must be in [0, 1], got 1.5"
    );
  });

  it("step rejects a label outside the classes and xs of the wrong size with one clear message", async () => {
    const trainer = await open({model: model("tiny"), optimizer: {name: "adam", learningRate: 0.001}, workers: 0});
    const {xs} = syntheticBatch(2, 1);
    await expect(trainer.step({xs, labels: [0, 7]})).rejects.toThrow("trainer.step: label 7 at index 1 is not a class index in 0..6");
    await expect(trainer.step({xs: xs.subarray(1), labels: [0]})).rejects.toThrow(/expected a positive multiple of 256/);
  });

  it("steps and predictions leave no tensors behind (in-process, so the count is visible)", async () => {
    const tf = await import("@tensorflow/tfjs");
    const trainer = await open({model: model("tiny-bn"), optimizer: {name: "adam", learningRate: 0.001}, workers: 0, seed: 2});
    const batch = syntheticBatch(8, 3);
    await trainer.step(batch);
    const before = tf.memory().numTensors;
    for (let step = 0; step < 3; step++) await trainer.step(batch);
    await trainer.predict(batch.xs);
    await trainer.getWeights();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("createTrainer with workers reports a factory error from inside the workers and ends them", async () => {
    await expect(
      createTrainer({model: model("no-such-model"), optimizer: {name: "adam", learningRate: 0.001}, workers: 2, backend: "wasm"})
    ).rejects.toThrow(/unknown reference model: no-such-model/);
  });

  it("createTrainer rejects a model module without the factory", async () => {
    await expect(
      createTrainer({model: {module: REFERENCE_MODELS, exportName: "nope", name: "tiny"}, optimizer: {name: "adam", learningRate: 0.001}, workers: 0, backend: "wasm"})
    ).rejects.toThrow(/has no function export nope/);
  });
});
