// Layer helpers shared by the model factories: named, seeded layers, so two builds with one seed are
// identical and weights keep readable names ("block2_conv1") in model.json and on the architecture page.

import * as tf from "@tensorflow/tfjs";

export type Tensor = tf.SymbolicTensor;

/** Hands out per-layer initializer seeds from one model seed. */
export class SeedSequence {
  private next: number;
  constructor(seed: number) {
    this.next = (seed >>> 0) * 1000 + 1;
  }
  take(): number {
    return this.next++;
  }
}

export interface ConvOptions {
  name: string;
  filters: number;
  kernelSize?: number;
  strides?: number;
  seeds: SeedSequence;
  /** "he" for ReLU networks of our design; "glorot" is Keras's default, used by seed-vgg. */
  init?: "he" | "glorot";
}

function kernelInitializer(init: "he" | "glorot", seed: number) {
  return init === "he" ? tf.initializers.heNormal({seed}) : tf.initializers.glorotUniform({seed});
}

/** Conv2D 'same' (no bias: batch norm follows) -> BatchNormalization -> ReLU. */
export function convBnRelu(x: Tensor, {name, filters, kernelSize = 3, strides = 1, seeds, init = "he"}: ConvOptions): Tensor {
  const conv = tf.layers.conv2d({
    name,
    filters,
    kernelSize,
    strides,
    padding: "same",
    useBias: false,
    kernelInitializer: kernelInitializer(init, seeds.take())
  });
  const bn = tf.layers.batchNormalization({name: `${name}_bn`, momentum: 0.9, epsilon: 1e-3});
  const relu = tf.layers.reLU({name: `${name}_relu`});
  return relu.apply(bn.apply(conv.apply(x))) as Tensor;
}

export function dense(
  x: Tensor,
  {name, units, activation, seeds, init = "he"}: {name: string; units: number; activation: "relu" | "softmax" | "linear"; seeds: SeedSequence; init?: "he" | "glorot"}
): Tensor {
  return tf.layers
    .dense({name, units, activation, kernelInitializer: kernelInitializer(init, seeds.take())})
    .apply(x) as Tensor;
}
