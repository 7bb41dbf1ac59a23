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
  {name, units, activation, seeds, init = "he"}: {name: string; units: number; activation: "relu" | "softmax" | "sigmoid" | "linear"; seeds: SeedSequence; init?: "he" | "glorot"}
): Tensor {
  return tf.layers
    .dense({name, units, activation, kernelInitializer: kernelInitializer(init, seeds.take())})
    .apply(x) as Tensor;
}

/**
 * Squeeze-and-excitation (Hu et al., 2018): a stage's output rescaled channel by channel by a gate computed
 * from its global average, global pool -> dense (channels / ratio, at least 4; ReLU) -> dense (channels; sigmoid)
 * -> multiply. It lets a stage weigh its channels per face (e.g. mouth-shape channels up on a smiling face) for
 * about 2 x channels^2 / ratio parameters and as many FLOPs: next to nothing beside the 3x3 convolutions.
 * Layers are named `${name}_pool`, `_reduce`, `_expand`, `_reshape`, `_scale`.
 */
export function squeezeExcite(x: Tensor, {name, ratio, seeds}: {name: string; ratio: number; seeds: SeedSequence}): Tensor {
  const channels = x.shape[x.shape.length - 1] as number;
  const hidden = Math.max(4, Math.round(channels / ratio));
  let gate = tf.layers.globalAveragePooling2d({name: `${name}_pool`}).apply(x) as Tensor;
  gate = dense(gate, {name: `${name}_reduce`, units: hidden, activation: "relu", seeds});
  gate = dense(gate, {name: `${name}_expand`, units: channels, activation: "sigmoid", seeds, init: "glorot"});
  gate = tf.layers.reshape({name: `${name}_reshape`, targetShape: [1, 1, channels]}).apply(gate) as Tensor;
  return tf.layers.multiply({name: `${name}_scale`}).apply([x, gate]) as Tensor;
}
