// What every model factory provides: a builder and the training defaults its design assumes.

import type {LayersModel} from "@tensorflow/tfjs";
import type {ScheduleName} from "../schedule.js";
import type {AugmentOptions} from "../augment.js";
import type {PlateauConfig} from "../model-folder.js";

export interface ModelFactoryOptions {
  /** Seeds the weight initializers: one seed, one set of initial weights. */
  seed?: number;
}

export interface TrainingDefaults {
  optimizer: "adam" | "sgd";
  lr: number;
  schedule: ScheduleName;
  batch: number;
  epochs: number;
  labelSmoothing: number;
  weightDecay: number;
  /** Early-stopping patience in epochs on PublicTest accuracy. */
  patience: number;
  /** With the plateau schedule (default: DEFAULT_PLATEAU). */
  plateau?: PlateauConfig;
  /** Geometric augmentation (default: DEFAULT_AUGMENT). */
  augment?: Pick<AugmentOptions, "flip" | "shift" | "rotation" | "scale">;
}

export interface ModelSpec {
  name: string;
  description: string;
  create(options?: ModelFactoryOptions): LayersModel;
  training: TrainingDefaults;
}
