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

/** The 3x3 binomial filter [1 2 1] x [1 2 1] / 16, the "Tri-3" low-pass of Zhang (2019). */
export const BINOMIAL_3X3 = [1, 2, 1, 2, 4, 2, 1, 2, 1].map((v) => v / 16);

/**
 * Anti-aliased max pooling (Zhang, "Making convolutional networks shift-invariant again", ICML 2019): a 2x2
 * max taken densely (stride 1), then a fixed 3x3 binomial blur of each channel with stride 2, instead of a
 * 2x2 max pool with stride 2. A strided max pool aliases: shift a face by one pixel and the pooled map
 * changes, not just shifts, so the class can flip between views of one face (fer-tail-ct4 gains 2.7 points on
 * PrivateTest from averaging ten crops). The blur keeps what the max found and spreads it before subsampling.
 * Layers `${name}_max` (MaxPooling2D) and `${name}_blur` (DepthwiseConv2D, not trainable, its kernel set here
 * and saved with the weights, so a saved model loads as plain tfjs layers). Its input gradient runs in the
 * engine's native addon (engine/native-kernels.ts). 18 FLOPs per output value.
 */
export function blurPool(x: Tensor, {name}: {name: string}): Tensor {
  const channels = x.shape[x.shape.length - 1] as number;
  const max = tf.layers.maxPooling2d({name: `${name}_max`, poolSize: 2, strides: 1, padding: "same"}).apply(x) as Tensor;
  const blur = tf.layers.depthwiseConv2d({
    name: `${name}_blur`,
    kernelSize: 3,
    strides: 2,
    padding: "same",
    useBias: false,
    trainable: false,
    depthwiseInitializer: "zeros"
  });
  const out = blur.apply(max) as Tensor;
  const kernel = new Float32Array(9 * channels);
  for (let k = 0; k < 9; k++) kernel.fill(BINOMIAL_3X3[k], k * channels, (k + 1) * channels);
  const value = tf.tensor4d(kernel, [3, 3, channels, 1]);
  blur.setWeights([value]);
  value.dispose();  // the layer's variable keeps its own reference
  return out;
}
