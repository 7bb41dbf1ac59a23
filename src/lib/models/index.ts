// The model registry: every architecture the trainer, the benchmarks and the report know by name.

import type {LayersModel} from "@tensorflow/tfjs";
import {FER_COMPACT, FER_LITE, FER_SLIM, FER_TAIL, FER_TAIL_BLUR, FER_TAIL_SE, FER_TAIL_WIDE, TINY} from "./fer-lite.js";
import {SEED_VGG} from "./seed-vgg.js";
import type {ModelFactoryOptions, ModelSpec} from "./types.js";

export {modelSummary, layerFlops, type LayerSummary, type ModelSummary} from "./summary.js";
export type {ModelFactoryOptions, ModelSpec, TrainingDefaults} from "./types.js";

export const MODELS: Record<string, ModelSpec> = {
  [FER_LITE.name]: FER_LITE,
  [FER_SLIM.name]: FER_SLIM,
  [FER_COMPACT.name]: FER_COMPACT,
  [FER_TAIL.name]: FER_TAIL,
  [FER_TAIL_WIDE.name]: FER_TAIL_WIDE,
  [FER_TAIL_SE.name]: FER_TAIL_SE,
  [FER_TAIL_BLUR.name]: FER_TAIL_BLUR,
  [SEED_VGG.name]: SEED_VGG,
  [TINY.name]: TINY
};

export const MODEL_NAMES = Object.keys(MODELS);

export function modelSpec(name: string): ModelSpec {
  const spec = MODELS[name];
  if (!spec) throw new Error(`unknown model: ${name} (expected one of ${MODEL_NAMES.join(", ")})`);
  return spec;
}

/** Builds a fresh, uncompiled model by name; the same seed gives the same initial weights. */
export function createModel(name: string, options: ModelFactoryOptions = {}): LayersModel {
  return modelSpec(name).create(options);
}
