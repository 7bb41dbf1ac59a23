// `npm run experiments`: the table of training experiments the report shows (src/models/experiments.json):
// every run folder under runs/ (or --runs DIR) that `npm run train` finished or is writing, with its recipe
// (the configuration), its wall time, its PublicTest accuracy per epoch and at the selected epoch, and the
// note in the run's NOTE.md (what the run tried, what it gave), if it has one. Runs already in the table and no
// longer on this machine stay as they were, so the table accumulates across machines. PrivateTest is not
// read: runs are compared on PublicTest only.

import fs from "node:fs";
import path from "node:path";
import {parseFlags, printJson, runCli} from "./cli.js";
import {readJson, readOptionalJson, writeJsonAtomic} from "./model-io.js";
import {MODEL_FILES, runFinished, validateMetadata, type History} from "../src/lib/model-folder.js";
import type {Experiment, ExperimentsTable} from "../src/lib/experiments.js";

const USAGE = `npm run experiments -- [--runs runs] [--out src/models/experiments.json] [--stopped NAME,NAME]

Adds (or updates) every training run found under --runs to the experiments table in --out.
--stopped marks unfinished runs (of --runs or already in the table) as ended for good by hand, so that the
report says "stopped" rather than "still training".`;

function experimentOf(dir: string): Experiment | null {
  const metadataFile = path.join(dir, MODEL_FILES.metadata);
  if (!fs.existsSync(metadataFile)) return null;
  const metadata = validateMetadata(readJson(metadataFile), metadataFile);
  const history = readOptionalJson<History>(path.join(dir, MODEL_FILES.history));
  const note = fs.existsSync(path.join(dir, "NOTE.md")) ? fs.readFileSync(path.join(dir, "NOTE.md"), "utf8").trim() : null;
  const epochs = history?.epochs ?? [];
  return {
    name: path.basename(dir),
    architecture: metadata.architecture,
    params: metadata.params,
    flops: metadata.flops,
    training: metadata.training,
    selection: metadata.dataset.selectionSplit,
    epochsRun: metadata.epochsRun,
    finished: runFinished(metadata.training, {...metadata, ownSeconds: metadata.secondsTrained - (metadata.training.init?.secondsTrained ?? 0)}),
    bestEpoch: metadata.bestEpoch,
    publicTestAccuracy: metadata.publicTestAccuracy,
    publicTestByEpoch: epochs.map((e) => Math.round(e.publicTestAccuracy * 1e4) / 1e4),
    secondsTrained: metadata.secondsTrained,
    imagesPerSecond: epochs.length ? Math.round(epochs.map((e) => e.imagesPerSecond).sort((a, b) => a - b)[Math.floor(epochs.length / 2)]) : null,
    note
  };
}

async function main(): Promise<void> {
  const {flags} = parseFlags(process.argv.slice(2), {runs: "string", out: "string", stopped: "string"}, USAGE);
  const stopped = (flags.stopped ?? "").split(",").map((name) => name.trim()).filter(Boolean);
  const runs = path.resolve(flags.runs ?? "runs");
  const out = path.resolve(flags.out ?? "src/models/experiments.json");
  if (!fs.existsSync(runs)) throw new Error(`no run folder ${runs}: train with npm run train -- --out runs/NAME first`);
  const table: ExperimentsTable = readOptionalJson<ExperimentsTable>(out) ?? {experiments: []};
  const found = fs.readdirSync(runs, {withFileTypes: true}).filter((e) => e.isDirectory()).map((e) => experimentOf(path.join(runs, e.name))).filter((e): e is Experiment => e !== null);
  const byName = new Map(table.experiments.map((e) => [e.name, e]));
  for (const experiment of found) {
    // A run once marked stopped stays so when the table is rebuilt from its folder, until it finishes.
    if (byName.get(experiment.name)?.stopped && !experiment.finished) experiment.stopped = true;
    byName.set(experiment.name, experiment);
  }
  for (const name of stopped) {
    const experiment = byName.get(name);
    if (!experiment) throw new Error(`--stopped ${name}: no run of that name under ${runs} or in ${out}`);
    if (experiment.finished) throw new Error(`--stopped ${name}: the run finished by its own rules (${experiment.epochsRun} epochs, best ${experiment.bestEpoch}); only an unfinished run can be stopped`);
    experiment.stopped = true;
  }
  const experiments = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  writeJsonAtomic(out, {experiments});
  printJson({out, experiments: experiments.length, updated: found.map((e) => e.name)});
}

runCli(main);
