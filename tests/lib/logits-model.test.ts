import {describe, expect, it} from "vitest";
import * as tf from "@tensorflow/tfjs";
import {logitsModel, softmaxRows} from "../../src/lib/logits-model.js";
import {foldBatchNorm} from "../../src/lib/fold-batch-norm.js";
import {createModel} from "../../src/lib/models/index.js";

describe("logitsModel", () => {
  it("logitsModel(tf, model) with softmaxRows gives the model's probabilities, also after foldBatchNorm", async () => {
    await tf.setBackend("cpu");
    const model = foldBatchNorm(tf, createModel("tiny", {seed: 4}));
    const logits = logitsModel(tf, model)!;
    expect(logits.outputs[0].shape).toEqual([null, 7]);
    const x = tf.randomUniform([3, 48, 48, 1], 0, 1, "float32", 9);
    const expected = (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
    const values = (logits.predict(x) as tf.Tensor).dataSync() as Float32Array;
    const probabilities = softmaxRows(values, 7);
    for (let i = 0; i < expected.length; i++) expect(probabilities[i]).toBeCloseTo(expected[i], 6);
    // Logits, not probabilities: rows do not sum to 1.
    expect(Math.abs(values.slice(0, 7).reduce((a, b) => a + b, 0) - 1)).toBeGreaterThan(1e-3);
  });

  it("logitsModel(tf, model) is null for a model that does not end in a softmax Dense layer", () => {
    const input = tf.input({shape: [4]});
    const output = tf.layers.dense({units: 2, activation: "sigmoid"}).apply(input) as tf.SymbolicTensor;
    expect(logitsModel(tf, tf.model({inputs: input, outputs: output}))).toBeNull();
  });
});

describe("softmaxRows", () => {
  it("softmaxRows(logits, classes) normalizes each row and survives large logits", () => {
    const p = softmaxRows(Float32Array.of(0, Math.log(3), 1000, 1000), 2);
    expect(p[0]).toBeCloseTo(0.25, 7);
    expect(p[1]).toBeCloseTo(0.75, 7);
    expect([p[2], p[3]]).toEqual([0.5, 0.5]);
  });

  it("softmaxRows rejects logits that are not whole rows", () => {
    expect(() => softmaxRows(new Float32Array(5), 2)).toThrow("softmaxRows: 5 logits are not rows of 2");
  });
});
