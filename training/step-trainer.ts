// Opens the engine's data-parallel trainer (src/lib/node/engine/trainer.ts) for a training configuration and
// adapts its optimizer state to the flat tensors that checkpoints store.

import {createTrainer, type Trainer} from "../src/lib/node/engine/trainer.ts";
import type {BackendPreference} from "../src/lib/node/engine/backend.ts";
import type {OptimizerState} from "../src/lib/node/engine/optimizers.ts";
import type {TrainingConfig} from "../src/lib/model-folder.ts";
import type {FlatTensor} from "./model-io.ts";

export type {Trainer};

export async function openTrainer({config, backend = "node"}: {config: TrainingConfig; backend?: BackendPreference}): Promise<Trainer> {
  return createTrainer({
    model: {name: config.model, options: {seed: config.seed}},
    optimizer: {
      name: config.optimizer,
      learningRate: config.lr,
      momentum: 0.9,
      nesterov: true,
      weightDecay: config.weightDecay
    },
    workers: config.workers ?? undefined,
    backend,
    seed: config.seed
  });
}

/** Optimizer state as flat tensors: the iteration count first, then the slots (moments or velocity). */
export function optimizerStateToTensors(state: OptimizerState): FlatTensor[] {
  return [
    {name: "iterations", shape: [1], values: Float32Array.of(state.iterations)},
    ...state.slots.map((values, i) => ({name: `slot${i}`, shape: [values.length], values}))
  ];
}

export function optimizerStateFromTensors(tensors: FlatTensor[]): OptimizerState {
  if (tensors[0]?.name !== "iterations") throw new Error("checkpoint optimizer state does not start with the iteration count");
  return {iterations: tensors[0].values[0], slots: tensors.slice(1).map((t) => t.values)};
}
