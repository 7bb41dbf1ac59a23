import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import {describe, expect, it} from "vitest";
import {createModel} from "../../src/lib/models/index.js";
import {explainClass} from "../../src/lib/saliency.js";

await tf.setBackend("cpu");

/** A face-sized input with a bright square in the top-left quarter. */
function input(): Float32Array {
  const x = new Float32Array(48 * 48).fill(0.2);
  for (let y = 4; y < 20; y++) for (let c = 4; c < 20; c++) x[y * 48 + c] = 0.9;
  return x;
}

describe("explainClass", () => {
  it("explainClass(tf, model, input, k) runs Grad-CAM on the last convolution block of a plain network", () => {
    const model = createModel("tiny", {seed: 3});
    const saliency = explainClass(tf, model, input(), 3);
    expect(saliency.method).toBe("grad-cam");
    expect(saliency.layer).toMatch(/relu/);
    expect(saliency.map).toHaveLength(48 * 48);
    expect(Math.max(...saliency.map)).toBeCloseTo(1, 5);
    expect(Math.min(...saliency.map)).toBeGreaterThanOrEqual(0);
  });

  it("explainClass weighs the feature map by the mean gradient of the class logit (checked against a manual Grad-CAM)", () => {
    const model = createModel("tiny", {seed: 5});
    const layer = model.getLayer("block2_conv1_relu");
    const features = tf.model({inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor});
    const [pool, , dense] = [model.getLayer("global_pool"), null, model.getLayer("predictions")];
    const [kernel, bias] = dense.getWeights();
    const k = 2;
    const expected = tf.tidy(() => {
      const a = features.predict(tf.tensor4d(input(), [1, 48, 48, 1])) as tf.Tensor4D;
      const logit = (t: tf.Tensor) => tf.sum(tf.gather(tf.add(tf.matMul(pool.apply(t) as tf.Tensor2D, kernel as tf.Tensor2D), bias), [k], 1)) as tf.Scalar;
      const g = tf.grad(logit)(a);
      const cam = tf.relu(tf.sum(tf.mul(a, tf.mean(g, [1, 2], true)), 3, true)) as tf.Tensor4D;
      const up = tf.image.resizeBilinear(cam, [48, 48], true);
      return tf.div(up, tf.max(up)).dataSync() as Float32Array;
    });
    const {map} = explainClass(tf, model, input(), k);
    for (let i = 0; i < map.length; i += 97) expect(map[i]).toBeCloseTo(expected[i], 5);
  });

  it("explainClass falls back to input-gradient saliency when the head after the last feature map branches", () => {
    const x = tf.input({shape: [48, 48, 1]});
    const conv = tf.layers.conv2d({filters: 4, kernelSize: 3, padding: "same", activation: "relu"}).apply(x) as tf.SymbolicTensor;
    const a = tf.layers.globalAveragePooling2d({}).apply(conv) as tf.SymbolicTensor;
    const b = tf.layers.globalMaxPooling2d({}).apply(conv) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate().apply([a, b]) as tf.SymbolicTensor;
    const out = tf.layers.dense({units: 7, activation: "softmax"}).apply(joined) as tf.SymbolicTensor;
    const saliency = explainClass(tf, tf.model({inputs: x, outputs: out}), input(), 0);
    expect(saliency.method).toBe("gradient");
    expect(saliency.map).toHaveLength(48 * 48);
  });

  it("explainClass runs on the wasm backend as shipped (no gradient kernel it lacks) and agrees with cpu", async () => {
    const model = createModel("tiny", {seed: 7});
    const onCpu = explainClass(tf, model, input(), 4);
    expect(await tf.setBackend("wasm")).toBe(true);
    try {
      const onWasm = explainClass(tf, model, input(), 4);
      expect(onWasm.method).toBe("grad-cam");
      for (let i = 0; i < onCpu.map.length; i += 53) expect(onWasm.map[i]).toBeCloseTo(onCpu.map[i], 4);
    } finally {
      await tf.setBackend("cpu");
    }
  });

  it("explainClass rejects an input of the wrong size", () => {
    expect(() => explainClass(tf, createModel("tiny"), new Float32Array(10), 0)).toThrow(/10 values, expected 48x48x1/);
  });

  it("explainClass leaves no tensor behind", () => {
    const model = createModel("tiny", {seed: 3});
    explainClass(tf, model, input(), 1);
    const before = tf.memory().numTensors;
    explainClass(tf, model, input(), 1);
    expect(tf.memory().numTensors).toBe(before);
  });
});
