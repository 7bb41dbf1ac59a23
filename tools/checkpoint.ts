// Training checkpoints: a folder with the run's JSON state, the model weights and the optimizer state as flat
// float32 tensors, swapped in atomically so a kill at any moment leaves a complete checkpoint behind; and
// the optimizer state in and out of that tensor form. `npm run train -- --resume` reads what this writes.

import fs from "node:fs";
import path from "node:path";
import type {NamedTensor} from "../engine/trainer.js";
import type {OptimizerState} from "../engine/optimizers.js";
import {copyToArrayBuffer, readJson} from "./model-io.js";

interface FlatTensorSpec {
  name: string;
  shape: number[];
  /** Offset in float32 elements into the .bin file. */
  offset: number;
  length: number;
}

function encodeFlat(tensors: NamedTensor[]): {specs: FlatTensorSpec[]; data: Uint8Array} {
  const total = tensors.reduce((sum, t) => sum + t.values.length, 0);
  const data = new Float32Array(total);
  const specs: FlatTensorSpec[] = [];
  let offset = 0;
  for (const t of tensors) {
    data.set(t.values, offset);
    specs.push({name: t.name, shape: t.shape, offset, length: t.values.length});
    offset += t.values.length;
  }
  return {specs, data: new Uint8Array(data.buffer)};
}

function decodeFlat(specs: FlatTensorSpec[], bytes: Uint8Array, file: string): NamedTensor[] {
  const floats = new Float32Array(copyToArrayBuffer(bytes));
  return specs.map((spec) => {
    if (spec.offset + spec.length > floats.length) throw new Error(`${file} is truncated: ${spec.name} lies past its end`);
    return {name: spec.name, shape: spec.shape, values: floats.slice(spec.offset, spec.offset + spec.length)};
  });
}

/** A training checkpoint: JSON state plus the model weights and optimizer state as flat tensors. */
export interface Checkpoint<State> {
  state: State;
  weights: NamedTensor[];
  optimizer: NamedTensor[];
  /** A run's stochastic weight average, when it keeps one. */
  average?: NamedTensor[];
}

const CHECKPOINT_FILES = {state: "state.json", weights: "weights.bin", optimizer: "optimizer.bin", average: "average.bin"};

/**
 * Writes a checkpoint folder atomically: into DIR.tmp, then swapped in for DIR (the previous one is kept
 * as DIR.old until the swap is done, so a kill at any moment leaves a complete checkpoint behind).
 */
export function saveCheckpoint<State>(dir: string, checkpoint: Checkpoint<State>): void {
  const tmp = `${dir}.tmp`;
  const old = `${dir}.old`;
  fs.rmSync(tmp, {recursive: true, force: true});
  fs.mkdirSync(tmp, {recursive: true});
  const weights = encodeFlat(checkpoint.weights);
  const optimizer = encodeFlat(checkpoint.optimizer);
  fs.writeFileSync(path.join(tmp, CHECKPOINT_FILES.weights), weights.data);
  fs.writeFileSync(path.join(tmp, CHECKPOINT_FILES.optimizer), optimizer.data);
  const average = checkpoint.average ? encodeFlat(checkpoint.average) : null;
  if (average) fs.writeFileSync(path.join(tmp, CHECKPOINT_FILES.average), average.data);
  const manifest = {weights: weights.specs, optimizer: optimizer.specs, ...(average ? {average: average.specs} : {})};
  fs.writeFileSync(path.join(tmp, CHECKPOINT_FILES.state), JSON.stringify({...checkpoint.state, manifest}, null, 2));
  fs.rmSync(old, {recursive: true, force: true});
  if (fs.existsSync(dir)) fs.renameSync(dir, old);
  fs.renameSync(tmp, dir);
  fs.rmSync(old, {recursive: true, force: true});
}

/** Whether DIR (or DIR.old, left by a kill during a swap) holds a checkpoint. */
export function hasCheckpoint(dir: string): boolean {
  return [dir, `${dir}.old`].some((d) => fs.existsSync(path.join(d, CHECKPOINT_FILES.state)));
}

/** Reads the checkpoint in DIR (or in DIR.old when a kill interrupted the swap); null when there is none. */
export function loadCheckpoint<State>(dir: string): Checkpoint<State> | null {
  const found = [dir, `${dir}.old`].find((d) => fs.existsSync(path.join(d, CHECKPOINT_FILES.state)));
  if (!found) return null;
  const {manifest, ...state} = readJson<State & {manifest: {weights: FlatTensorSpec[]; optimizer: FlatTensorSpec[]; average?: FlatTensorSpec[]}}>(
    path.join(found, CHECKPOINT_FILES.state)
  );
  const read = (name: string) => fs.readFileSync(path.join(found, name));
  return {
    state: state as unknown as State,
    weights: decodeFlat(manifest.weights, read(CHECKPOINT_FILES.weights), path.join(found, CHECKPOINT_FILES.weights)),
    optimizer: decodeFlat(manifest.optimizer, read(CHECKPOINT_FILES.optimizer), path.join(found, CHECKPOINT_FILES.optimizer)),
    ...(manifest.average ? {average: decodeFlat(manifest.average, read(CHECKPOINT_FILES.average), path.join(found, CHECKPOINT_FILES.average))} : {})
  };
}

/** Optimizer state as flat tensors: the iteration count first, then the slots (moments or velocity). */
export function optimizerStateToTensors(state: OptimizerState): NamedTensor[] {
  return [
    {name: "iterations", shape: [1], values: Float32Array.of(state.iterations)},
    ...state.slots.map((values, i) => ({name: `slot${i}`, shape: [values.length], values}))
  ];
}

export function optimizerStateFromTensors(tensors: NamedTensor[]): OptimizerState {
  if (tensors[0]?.name !== "iterations") throw new Error("checkpoint optimizer state does not start with the iteration count");
  return {iterations: tensors[0].values[0], slots: tensors.slice(1).map((t) => t.values)};
}
