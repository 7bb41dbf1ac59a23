// `npm run weight-stats -- DIR [DIR...]`: the size of a trained model's weights, kind by kind, to see what a
// recipe did to them. Weight decay shows here: with it the kernels settle at a size that grows with the
// learning rate (RMS about 0.17 at the peak rate in fer-tail-ct12 and fer-tail-ct13, 0.12 as the rate fell
// late in fer-tail-ct13: src/models/experiments.json); without it convolution kernels grow all run long,
// which under BatchNorm shrinks each Adam step's relative size. Prints JSON: per folder, the RMS of each kind (kernels of convolutions, kernel of the classifier,
// BatchNorm scales and shifts, biases) and of each weight. Reads the stored weights as the report does
// (float32 or quantized), through tools/model-export.ts's readFolderWeights.

import fs from "node:fs";
import path from "node:path";
import {parseFlags, printJson, runCli} from "./cli.js";
import {readJson} from "./model-io.js";
import {readFolderWeights} from "./model-export.js";
import {MODEL_FILES} from "../src/lib/model-folder.js";

const USAGE = `npm run weight-stats -- DIR [DIR...]

For each model folder (model.json + weights, as npm run train and npm run export write them), the root mean
square of its trainable weights by kind and one by one. BatchNorm moving statistics are left out.`;

interface WeightStat {
  name: string;
  shape: number[];
  rms: number;
  mean: number;
}

/** What a trainable weight is, from its name and rank: the kinds weight decay treats differently. */
type WeightKind = "conv kernel" | "dense kernel" | "batchnorm scale" | "batchnorm shift" | "bias";

function weightKind(name: string, shape: readonly number[]): WeightKind | null {
  if (/moving_(mean|variance)$/.test(name)) return null;
  if (shape.length >= 3) return "conv kernel";
  if (shape.length === 2) return "dense kernel";
  if (/gamma$/.test(name)) return "batchnorm scale";
  if (/beta$/.test(name)) return "batchnorm shift";
  return "bias";
}

const rms = (sumSquares: number, count: number) => (count ? Math.sqrt(sumSquares / count) : 0);
const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** RMS and mean of each trainable weight, and the RMS over all values of each kind. */
function weightStatistics(weights: readonly {name: string; shape: number[]; values: ArrayLike<number>}[]): {
  byKind: Partial<Record<WeightKind, number>>;
  weights: WeightStat[];
} {
  const totals = new Map<WeightKind, {squares: number; count: number}>();
  const stats: WeightStat[] = [];
  for (const {name, shape, values} of weights) {
    const kind = weightKind(name, shape);
    if (kind == null) continue;
    let squares = 0;
    let sum = 0;
    for (let i = 0; i < values.length; i++) {
      squares += values[i] * values[i];
      sum += values[i];
    }
    stats.push({name, shape: [...shape], rms: round(rms(squares, values.length)), mean: round(values.length ? sum / values.length : 0)});
    const total = totals.get(kind) ?? {squares: 0, count: 0};
    totals.set(kind, {squares: total.squares + squares, count: total.count + values.length});
  }
  const byKind = Object.fromEntries([...totals].map(([kind, t]) => [kind, round(rms(t.squares, t.count))]));
  return {byKind, weights: stats};
}

/** A model folder's stored weights, decoded, with the epoch they are from when metadata.json says. */
function folderStatistics(dir: string): {folder: string; epoch: number | null} & ReturnType<typeof weightStatistics> {
  const weights = readFolderWeights(dir);
  const metadataFile = path.join(dir, MODEL_FILES.metadata);
  const epoch = fs.existsSync(metadataFile) ? (readJson<{bestEpoch?: number}>(metadataFile).bestEpoch ?? null) : null;
  return {folder: dir, epoch, ...weightStatistics(weights)};
}

runCli(() => {
  const {positionals} = parseFlags(process.argv.slice(2), {}, USAGE);
  if (positionals.length === 0) throw new Error("name at least one model folder: npm run weight-stats -- DIR [DIR...]");
  printJson(positionals.map(folderStatistics));
});
