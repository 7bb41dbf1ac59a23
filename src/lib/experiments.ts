// The experiments table (src/models/experiments.json, written by `npm run experiments`): one row per training
// run tried for the report's models, what it changed and what it gave on PublicTest. Shared by the tool and
// the page that shows it.

import type {SelectionSplit, TrainingConfig} from "./model-folder.js";

export interface Experiment {
  name: string;
  architecture: string;
  params: number;
  flops: number;
  training: TrainingConfig;
  selection: SelectionSplit;
  epochsRun: number;
  /** Whether the run reached its planned epochs or stopped early (else it was still running when read). */
  finished: boolean;
  bestEpoch: number;
  /** At the selected epoch. */
  publicTestAccuracy: number;
  publicTestByEpoch: number[];
  secondsTrained: number;
  /** Median training throughput of its epochs. */
  imagesPerSecond: number | null;
  /** The run's NOTE.md: what it tried and why. */
  note: string | null;
}

export interface ExperimentsTable {
  experiments: Experiment[];
}
