// The original Keras project's network (emojimation.ipynb), layer for layer: four blocks of two 3x3
// convolutions (64, 128, 256, 512 filters), each convolution with its bias and a ReLU inside it and a batch
// norm after it (Keras's Conv2D(activation='relu') then BatchNormalization()), the very first convolution
// unpadded (48 -> 46), 3x3/2 max pooling without padding (46 -> 22 -> 10 -> 4 -> 1) and dropout 0.3 per block;
// then dense 512-256-64, each followed by dropout 0.3, and a 7-way softmax. 5,102,791 parameters.
// Its training defaults are the notebook's: Adam 1e-3, batch 64, ReduceLROnPlateau(val_loss, factor 0.9,
// patience 5), EarlyStopping(val_accuracy, patience 10), ImageDataGenerator(rotation 10, shifts 0.1 = 4.8 px,
// zoom 0.1, horizontal flips); 40 epochs at most (`--max-hours 8` gives the time budget of issue 12).

import * as tf from "@tensorflow/tfjs";
import {INPUT_SHAPE} from "../preprocess.js";
import {NUM_CLASSES} from "../labels.js";
import {SeedSequence, type Tensor} from "./blocks.js";
import type {ModelFactoryOptions, ModelSpec} from "./types.js";

function createSeedVgg({seed = 1}: ModelFactoryOptions = {}): tf.LayersModel {
  const seeds = new SeedSequence(seed);
  const input = tf.input({shape: [...INPUT_SHAPE], name: "input"});
  let x: Tensor = input;
  [64, 128, 256, 512].forEach((filters, b) => {
    for (let c = 1; c <= 2; c++) {
      const name = `block${b + 1}_conv${c}`;
      const padding = b === 0 && c === 1 ? "valid" : "same";
      x = tf.layers
        .conv2d({name, filters, kernelSize: 3, padding, activation: "relu", kernelInitializer: tf.initializers.glorotUniform({seed: seeds.take()})})
        .apply(x) as Tensor;
      x = tf.layers.batchNormalization({name: `${name}_bn`}).apply(x) as Tensor;
    }
    x = tf.layers.maxPooling2d({name: `block${b + 1}_pool`, poolSize: 3, strides: 2, padding: "valid"}).apply(x) as Tensor;
    x = tf.layers.dropout({name: `block${b + 1}_dropout`, rate: 0.3}).apply(x) as Tensor;
  });
  x = tf.layers.flatten({name: "flatten"}).apply(x) as Tensor;
  for (const units of [512, 256, 64]) {
    x = tf.layers
      .dense({name: `dense${units}`, units, activation: "relu", kernelInitializer: tf.initializers.glorotUniform({seed: seeds.take()})})
      .apply(x) as Tensor;
    x = tf.layers.dropout({name: `dense${units}_dropout`, rate: 0.3}).apply(x) as Tensor;
  }
  const output = tf.layers
    .dense({name: "predictions", units: NUM_CLASSES, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({seed: seeds.take()})})
    .apply(x) as Tensor;
  return tf.model({inputs: input, outputs: output, name: "seed-vgg"});
}

export const SEED_VGG: ModelSpec = {
  name: "seed-vgg",
  description: "the original Keras project's VGG-style network (4x2 conv 64-512, dense 512-256-64, 5.1M parameters)",
  create: createSeedVgg,
  training: {
    optimizer: "adam", lr: 1e-3, schedule: "plateau", batch: 64, epochs: 40, labelSmoothing: 0, weightDecay: 0, patience: 10,
    plateau: {monitor: "loss", factor: 0.9, patience: 5},
    augment: {flip: 0.5, shift: 4.8, rotation: 10, scale: 0.1}
  }
};
