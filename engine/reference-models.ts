// Small stand-in models for the engine's own tests, profile and bench: the shapes the real factories in
// src/lib/models use (conv/BN/ReLU/pool VGG blocks, separable convs, a global-pool head), with no I/O.
import * as tf from "@tensorflow/tfjs";

export interface ReferenceModelOptions {
  inputSize?: number;
  classes?: number;
}

function vggBlock(x: tf.SymbolicTensor, filters: number, options: {batchNorm: boolean; poolSize: number; dropout: number}): tf.SymbolicTensor {
  for (let i = 0; i < 2; i++) {
    x = tf.layers.conv2d({filters, kernelSize: 3, padding: "same", useBias: !options.batchNorm}).apply(x) as tf.SymbolicTensor;
    if (options.batchNorm) x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU().apply(x) as tf.SymbolicTensor;
  }
  x = tf.layers.maxPooling2d({poolSize: options.poolSize, strides: 2, padding: "same"}).apply(x) as tf.SymbolicTensor;
  if (options.dropout > 0) x = tf.layers.dropout({rate: options.dropout}).apply(x) as tf.SymbolicTensor;
  return x;
}

/**
 * "seed-vgg-like": the original project's VGG (64-128-256-512 x2 conv+BN+ReLU, 3x3/2 max-pool, dropout 0.3,
 * dense 512-256-64-7, ~7.2M parameters); "vgg-lite": 32-64-128-256 x2 with BN and a global-average-pool head
 * (~1.2M); "separable": depthwise-separable residual blocks; "tiny": a few-thousand-parameter convnet.
 */
export function createReferenceModel(name: string, {inputSize = 48, classes = 7}: ReferenceModelOptions = {}): tf.LayersModel {
  const input = tf.input({shape: [inputSize, inputSize, 1]});
  let x: tf.SymbolicTensor = input;
  switch (name) {
    case "seed-vgg-like": {
      for (const filters of [64, 128, 256, 512]) x = vggBlock(x, filters, {batchNorm: true, poolSize: 3, dropout: 0.3});
      x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
      for (const units of [512, 256, 64]) x = tf.layers.dense({units, activation: "relu"}).apply(x) as tf.SymbolicTensor;
      break;
    }
    case "vgg-lite": {
      for (const filters of [32, 64, 128, 256]) x = vggBlock(x, filters, {batchNorm: true, poolSize: 2, dropout: 0});
      x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
      x = tf.layers.dropout({rate: 0.3}).apply(x) as tf.SymbolicTensor;
      break;
    }
    case "separable": {
      x = tf.layers.conv2d({filters: 16, kernelSize: 3, padding: "same", useBias: false}).apply(x) as tf.SymbolicTensor;
      x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
      x = tf.layers.reLU().apply(x) as tf.SymbolicTensor;
      for (const filters of [32, 64, 128]) {
        const shortcut = tf.layers.conv2d({filters, kernelSize: 1, strides: 2, padding: "same", useBias: false}).apply(x) as tf.SymbolicTensor;
        let y = tf.layers.separableConv2d({filters, kernelSize: 3, padding: "same", useBias: false}).apply(x) as tf.SymbolicTensor;
        y = tf.layers.batchNormalization().apply(y) as tf.SymbolicTensor;
        y = tf.layers.reLU().apply(y) as tf.SymbolicTensor;
        y = tf.layers.depthwiseConv2d({kernelSize: 3, strides: 2, padding: "same", useBias: false}).apply(y) as tf.SymbolicTensor;
        y = tf.layers.batchNormalization().apply(y) as tf.SymbolicTensor;
        x = tf.layers.add().apply([y, shortcut]) as tf.SymbolicTensor;
      }
      x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
      break;
    }
    case "tiny": {
      x = tf.layers.conv2d({filters: 8, kernelSize: 3, padding: "same", activation: "relu"}).apply(x) as tf.SymbolicTensor;
      x = tf.layers.maxPooling2d({poolSize: 2}).apply(x) as tf.SymbolicTensor;
      x = tf.layers.conv2d({filters: 16, kernelSize: 3, strides: 2, padding: "valid", activation: "relu"}).apply(x) as tf.SymbolicTensor;
      x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
      break;
    }
    case "tiny-bn": {
      x = tf.layers.conv2d({filters: 8, kernelSize: 3, padding: "same", useBias: false}).apply(x) as tf.SymbolicTensor;
      x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
      x = tf.layers.reLU().apply(x) as tf.SymbolicTensor;
      x = tf.layers.maxPooling2d({poolSize: 2}).apply(x) as tf.SymbolicTensor;
      x = tf.layers.separableConv2d({filters: 16, kernelSize: 3, padding: "same", activation: "relu"}).apply(x) as tf.SymbolicTensor;
      x = tf.layers.maxPooling2d({poolSize: 2}).apply(x) as tf.SymbolicTensor;
      x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
      x = tf.layers.dropout({rate: 0.2}).apply(x) as tf.SymbolicTensor;
      break;
    }
    default:
      throw new Error(`unknown reference model: ${name} (expected seed-vgg-like, vgg-lite, separable, tiny or tiny-bn)`);
  }
  const output = tf.layers.dense({units: classes, activation: "softmax"}).apply(x) as tf.SymbolicTensor;
  return tf.model({inputs: input, outputs: output, name});
}
