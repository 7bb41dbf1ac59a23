import * as tf from "@tensorflow/tfjs";
import {describe, expect, it} from "vitest";
import {createModel} from "../../src/lib/models/index.js";
import {foldBatchNorm} from "../../src/lib/fold-batch-norm.js";
import {explainClass} from "../../src/lib/saliency.js";

await tf.setBackend("cpu");

/** Gives every batch-norm layer non-trivial statistics, as training would. */
function randomiseBatchNorm(model: tf.LayersModel, seed: number): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== "BatchNormalization") continue;
    const [gamma, beta, mean, variance] = layer.getWeights();
    layer.setWeights([
      tf.randomUniform(gamma.shape, 0.5, 1.5, "float32", seed++),
      tf.randomUniform(beta.shape, -0.3, 0.3, "float32", seed++),
      tf.randomUniform(mean.shape, -0.2, 0.2, "float32", seed++),
      tf.randomUniform(variance.shape, 0.2, 2, "float32", seed++)
    ]);
  }
}

describe("foldBatchNorm", () => {
  it("foldBatchNorm(tf, model) computes the same probabilities with a third of the layers' ops", () => {
    const model = createModel("tiny", {seed: 2});
    randomiseBatchNorm(model, 10);
    const folded = foldBatchNorm(tf, model);
    const count = (m: tf.LayersModel, type: string) => m.layers.filter((l) => l.getClassName() === type).length;
    expect(count(folded, "BatchNormalization")).toBe(0);
    expect(count(folded, "ReLU")).toBe(0);
    expect(count(folded, "Conv2D")).toBe(count(model, "Conv2D"));
    const x = tf.randomUniform([4, 48, 48, 1], 0, 1, "float32", 3);
    const expected = (model.predict(x) as tf.Tensor).dataSync();
    const actual = (folded.predict(x) as tf.Tensor).dataSync();
    for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i], 5);
  });

  it("foldBatchNorm keeps layer names, so Grad-CAM and the report still find the convolutions", () => {
    const model = createModel("tiny", {seed: 2});
    const folded = foldBatchNorm(tf, model);
    const names = (m: tf.LayersModel) => m.layers.filter((l) => !["InputLayer", "BatchNormalization", "ReLU"].includes(l.getClassName())).map((l) => l.name);
    expect(names(folded)).toEqual(names(model));
  });

  it("foldBatchNorm leaves Grad-CAM's evidence map as it was (same last feature map, same head)", () => {
    const model = createModel("tiny", {seed: 4});
    randomiseBatchNorm(model, 20);
    const input = tf.randomUniform([48 * 48], 0, 1, "float32", 5).dataSync() as Float32Array;
    const before = explainClass(tf, model, input, 3);
    const after = explainClass(tf, foldBatchNorm(tf, model), input, 3);
    expect(after.method).toBe("grad-cam");
    for (let i = 0; i < before.map.length; i += 41) expect(after.map[i]).toBeCloseTo(before.map[i], 4);
  });

  it("foldBatchNorm returns a model without conv + batch-norm chains unchanged", () => {
    const input = tf.input({shape: [48, 48, 1]});
    const conv = tf.layers.conv2d({filters: 2, kernelSize: 3, activation: "relu"}).apply(input) as tf.SymbolicTensor;
    const out = tf.layers.dense({units: 7, activation: "softmax"}).apply(tf.layers.flatten().apply(conv)) as tf.SymbolicTensor;
    const model = tf.model({inputs: input, outputs: out});
    expect(foldBatchNorm(tf, model)).toBe(model);
  });
});
