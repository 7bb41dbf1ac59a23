// Training checkpoints in folders with node:fs, and the model weights as flat tensors. Every write goes to
// a temporary name and is renamed into place, so a killed process leaves either the old files or the new
// ones, never half of each. The model-folder reader and writer live in src/lib/node/model-io.ts (the
// loaders use them too); they are re-exported here for the CLIs.

import * as tf from "@tensorflow/tfjs";
import fs from "node:fs";
import path from "node:path";
import {copyToArrayBuffer, readJson} from "../src/lib/node/model-io.ts";

export {loadModelFolder, readJson, saveModelFolder, writeFileAtomic, writeJsonAtomic} from "../src/lib/node/model-io.ts";

/** Copies flat tensors (in model.weights order, BN moving statistics included) into `model`. */
export function setModelWeights(model: tf.LayersModel, weights: FlatTensor[]): void {
  if (weights.length !== model.weights.length) {
    throw new Error(`expected ${model.weights.length} weight tensors for ${model.name}, got ${weights.length}`);
  }
  const tensors = weights.map((w) => tf.tensor(w.values, w.shape));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/** The model's weights (model.weights order) as flat tensors. */
export function getModelWeights(model: tf.LayersModel): FlatTensor[] {
  return model.weights.map((w) => ({name: w.originalName, shape: w.shape.map(Number), values: w.read().dataSync() as Float32Array}));
}

/** A tensor as plain data: what the trainer hands out and checkpoints store. */
export interface FlatTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

interface FlatTensorSpec {
  name: string;
  shape: number[];
  /** Offset in float32 elements into the .bin file. */
  offset: number;
  length: number;
}

function encodeFlat(tensors: FlatTensor[]): {specs: FlatTensorSpec[]; data: Uint8Array} {
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

function decodeFlat(specs: FlatTensorSpec[], bytes: Uint8Array, file: string): FlatTensor[] {
  const floats = new Float32Array(copyToArrayBuffer(bytes));
  return specs.map((spec) => {
    if (spec.offset + spec.length > floats.length) throw new Error(`${file} is truncated: ${spec.name} lies past its end`);
    return {name: spec.name, shape: spec.shape, values: floats.slice(spec.offset, spec.offset + spec.length)};
  });
}

/** A training checkpoint: JSON state plus the model weights and optimizer state as flat tensors. */
export interface Checkpoint<State> {
  state: State;
  weights: FlatTensor[];
  optimizer: FlatTensor[];
}

const CHECKPOINT_FILES = {state: "state.json", weights: "weights.bin", optimizer: "optimizer.bin"};

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
  const manifest = {weights: weights.specs, optimizer: optimizer.specs};
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
  const {manifest, ...state} = readJson<State & {manifest: {weights: FlatTensorSpec[]; optimizer: FlatTensorSpec[]}}>(
    path.join(found, CHECKPOINT_FILES.state)
  );
  const read = (name: string) => fs.readFileSync(path.join(found, name));
  return {
    state: state as unknown as State,
    weights: decodeFlat(manifest.weights, read(CHECKPOINT_FILES.weights), path.join(found, CHECKPOINT_FILES.weights)),
    optimizer: decodeFlat(manifest.optimizer, read(CHECKPOINT_FILES.optimizer), path.join(found, CHECKPOINT_FILES.optimizer))
  };
}
