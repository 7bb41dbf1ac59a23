// `npm run ensemble-search -- --models DIR,DIR,... [--tta | --crops] [--max 5] [--top 10] [--data PATH]`: which
// combination of model folders makes the best ensemble on PublicTest. Each candidate runs over PublicTest
// once (through the predictor `npm run evaluate` uses, mirrored too with --tta, over the evaluator's ten
// views with --crops); then every combination of
// 1 to --max of them is scored on the mean of its members' probabilities (rankEnsembles in
// src/lib/ensemble.ts). PublicTest only: this chooses; PrivateTest is measured afterwards, once, for the
// ensemble that ships (npm run evaluate -- --model src/models/NAME).

import fs from "node:fs";
import path from "node:path";
import {parseFlags, printJson, progressLine, runCli} from "./cli.js";
import {loadPublicTest} from "./fer2013.js";
import {openFolderPredictor} from "./folder-predictor.js";
import {readJson} from "./model-io.js";
import {rankEnsembles} from "../src/lib/ensemble.js";
import {MAX_ENSEMBLE_MEMBERS} from "../src/lib/models-index.js";
import {MODEL_FILES, validateMetadata} from "../src/lib/model-folder.js";
import type {TtaMode} from "../src/lib/augment.js";

const USAGE = `npm run ensemble-search -- --models DIR,DIR,... [--tta | --crops] [--max ${MAX_ENSEMBLE_MEMBERS}] [--top 10] [--data PATH]

Runs each model folder over PublicTest once and scores every combination of 1 to --max of them (the mean
of their probabilities; with --tta each member's averaged with the mirror image, with --crops over the
ten views of npm run evaluate's --crops: five 44-pixel crops and their mirrors), best first. Prints JSON;
writes nothing. Ship the chosen one as an entry {"name", "members"} of src/models/models.json.`;

const FLAGS = {models: "string", tta: "boolean", crops: "boolean", max: "number", top: "number", data: "string", synthetic: "number"} as const;

async function main(): Promise<void> {
  const {flags, positionals} = parseFlags(process.argv.slice(2), FLAGS, USAGE);
  if (positionals.length) throw new Error(`unexpected argument "${positionals[0]}"; flags start with --`);
  const dirs = (flags.models ?? "").split(",").filter(Boolean).map((dir) => path.resolve(dir));
  if (dirs.length < 2) throw new Error("--models needs at least two model folders, separated by commas");
  if (flags.tta && flags.crops) throw new Error("--tta and --crops are two test-time options; choose one (--crops includes the mirror images)");
  const tta: TtaMode = flags.crops ? "crops" : flags.tta ? "flip" : "none";
  const max = flags.max ?? MAX_ENSEMBLE_MEMBERS;
  if (!Number.isInteger(max) || max < 1) throw new Error(`--max is ${max}, expected a whole number of members, 1 or more`);
  const metadata = dirs.map((dir) => {
    if (!fs.existsSync(path.join(dir, MODEL_FILES.model))) throw new Error(`${dir} is not a model folder: no ${MODEL_FILES.model}`);
    return validateMetadata(readJson(path.join(dir, MODEL_FILES.metadata)), path.join(dir, MODEL_FILES.metadata));
  });
  const progress = progressLine();
  const {input, labels} = await loadPublicTest({data: flags.data, synthetic: flags.synthetic}, progress);
  const candidates: Float32Array[] = [];
  for (const [k, dir] of dirs.entries()) {
    progress.update(`PublicTest through ${path.basename(dir)} (${k + 1} of ${dirs.length})`);
    const predictor = await openFolderPredictor(dir);
    try {
      candidates.push(await predictor.predict(input, {tta}));
    } finally {
      await predictor.dispose();
    }
  }
  const views = {none: "", flip: ", each averaged with its mirror image", crops: ", each averaged over ten views"}[tta];
  progress.done(`${dirs.length} candidates over ${labels.length} PublicTest faces${views}`);
  const ranked = rankEnsembles(candidates, labels, {maxMembers: max});
  const describe = (members: number[]) => ({
    members: members.map((k) => path.relative(process.cwd(), dirs[k]) || dirs[k]),
    params: members.reduce((sum, k) => sum + metadata[k].params, 0),
    mflops: Math.round(members.reduce((sum, k) => sum + metadata[k].flops, 0) / 1e5) / 10
  });
  printJson({
    split: "PublicTest",
    faces: labels.length,
    tta,
    candidates: dirs.map((_, k) => ({...describe([k]), accuracy: ranked.find((r) => r.members.length === 1 && r.members[0] === k)!.accuracy})),
    best: ranked.slice(0, flags.top ?? 10).map((r) => ({...describe(r.members), accuracy: r.accuracy, macroF1: r.macroF1}))
  });
}

runCli(main);
