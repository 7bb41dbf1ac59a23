// Spawns the training CLIs as a user would (`npx tsx tools/<cli>.ts ...`) and collects their output.

import {spawn, type ChildProcess} from "node:child_process";
import path from "node:path";
import {saveModelFolder, writeJsonAtomic} from "../../tools/model-io.js";
import {createModel, modelSummary} from "../../src/lib/models/index.js";
import {EMOTIONS} from "../../src/lib/labels.js";
import {MODEL_INPUT} from "../../src/lib/preprocess.js";
import type {ModelMetadata} from "../../src/lib/model-folder.js";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function startCli(cli: string, args: string[], {detached = false}: {detached?: boolean} = {}): {child: ChildProcess; done: Promise<CliResult>} {
  const child = spawn("npx", ["tsx", `tools/${cli}.ts`, ...args], {
    cwd: process.cwd(),
    env: {...process.env, FER2013_PATH: ""},
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so the whole npx -> tsx -> node chain can be killed at once.
    detached
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk) => (stdout += chunk));
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const done = new Promise<CliResult>((resolve) => child.on("close", (code) => resolve({code, stdout, stderr})));
  return {child, done};
}

export function runCli(cli: string, args: string[]): Promise<CliResult> {
  return startCli(cli, args).done;
}

/** The lines of stderr, without the tfjs banner and blank lines. */
export function errorLines(stderr: string): string[] {
  return stderr.split(/\r?\n/).filter((line) => line.startsWith("error:"));
}

/**
 * Writes a complete model folder, as `npm run train` leaves it, around an untrained `tiny` model:
 * model.json + weights and metadata.json. Evaluation and export only need it to be deterministic.
 */
export async function writeToyModelFolder(dir: string, {seed, secondsTrained = 0, publicTestAccuracy = 0}: {seed: number; secondsTrained?: number; publicTestAccuracy?: number}): Promise<void> {
  const model = createModel("tiny", {seed});
  await saveModelFolder(model, dir);
  const summary = modelSummary(model);
  const metadata: ModelMetadata = {
    format: "fer-model/1", architecture: "tiny", labels: [...EMOTIONS], input: MODEL_INPUT, params: summary.params, flops: summary.flops,
    training: {
      model: "tiny", epochs: 1, batch: 16, seed, optimizer: "adam", lr: 1e-3, schedule: "constant", labelSmoothing: 0, weightDecay: 0,
      classWeights: "none", mixup: 0, erasing: 0, patience: 0, limit: null, workers: 0, augment: {flip: 0.5, shift: 4, rotation: 10, scale: 0.1}
    },
    secondsTrained, bestEpoch: 1, epochsRun: 1, publicTestAccuracy, backend: "wasm", workers: 0,
    dataset: {trainingImages: 35, selectionSplit: "PublicTest", selectionImages: 35}, createdAt: new Date().toISOString()
  };
  writeJsonAtomic(path.join(dir, "metadata.json"), metadata);
}
