// What every model factory provides: a builder and the training defaults its design assumes.

import type {LayersModel} from "@tensorflow/tfjs";
import type {ScheduleName} from "../schedule.ts";

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
}

export interface ModelSpec {
  name: string;
  description: string;
  create(options?: ModelFactoryOptions): LayersModel;
  training: TrainingDefaults;
}
