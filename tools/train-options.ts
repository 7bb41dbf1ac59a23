// The train CLI's flags: parsed, checked against their allowed values, and merged with the model's
// training defaults into one TrainingConfig. Separate from train.ts so tests can call it in-process.
// With --resume the run's saved configuration wins: only --out, --data, --backend and --synthetic matter,
// and --epochs, which extends a run with a constant or plateau schedule.

import fs from "node:fs";
import path from "node:path";
import {parseFlags} from "./cli.js";
import {MODEL_NAMES, modelSpec} from "../src/lib/models/index.js";
import {defaultArchitecture, readJson} from "./model-io.js";
import {SCHEDULES} from "../src/lib/schedule.js";
import {CLASS_WEIGHTINGS} from "../src/lib/targets.js";
import {DEFAULT_AUGMENT} from "../src/lib/augment.js";
import {DEFAULT_PLATEAU, MODEL_FILES, validateMetadata, type TrainingConfig} from "../src/lib/model-folder.js";
import type {BackendPreference} from "../engine/backend.js";
import {WEIGHT_DECAY_SCOPES} from "../engine/optimizers.js";

export const TRAIN_FLAGS = {
  model: "string",
  epochs: "number",
  batch: "number",
  seed: "number",
  out: "string",
  resume: "boolean",
  data: "string",
  lr: "number",
  optimizer: "string",
  schedule: "string",
  "label-smoothing": "number",
  "weight-decay": "number",
  "weight-decay-scope": "string",
  "class-weights": "string",
  mixup: "number",
  erasing: "number",
  patience: "number",
  "plateau-monitor": "string",
  "plateau-factor": "number",
  "plateau-patience": "number",
  "max-hours": "number",
  holdout: "number",
  cutmix: "number",
  teachers: "string",
  "distill-weight": "number",
  "distill-temperature": "number",
  "teacher-tta": "string",
  teaching: "string",
  "distill-form": "string",
  init: "string",
  "swa-from": "number",
  flip: "number",
  shift: "number",
  rotation: "number",
  scale: "number",
  limit: "number",
  workers: "number",
  backend: "string",
  // Hidden: N synthetic faces per split instead of FER2013, for tests.
  synthetic: "number"
} as const;

export const TRAIN_USAGE = `npm run train -- [--model NAME] [flags]

Trains a model on FER2013's Training split, selecting epochs on PublicTest (never PrivateTest).
Writes OUT/model.json + weights (best PublicTest epoch), metadata.json, history.json and a checkpoint
every epoch in OUT/checkpoint/, so a killed run continues with --resume --out OUT.

  --model NAME           ${MODEL_NAMES.join(" | ")} (default: the architecture of src/models/models.json's default)
  --epochs N             epochs (default: the model's own)
  --batch B              batch size (default 64)
  --seed S               same seed, same result on the same backend (default 1)
  --out DIR              output folder (default runs/<model>-<timestamp>)
  --resume               continue the run in --out from its last checkpoint (with --epochs N: extend a
                         finished constant- or plateau-schedule run to N epochs)
  --data PATH            FER2013 folder or fer2013.csv (default $FER2013_PATH, data/fer2013, data/fer2013.csv)
  --optimizer adam|sgd   (default adam)   --lr X   peak learning rate
  --schedule ${SCHEDULES.join("|")}
  --label-smoothing X    --weight-decay X   --class-weights ${CLASS_WEIGHTINGS.join("|")}
  --weight-decay-scope ${WEIGHT_DECAY_SCOPES.join("|")}  what decays: every weight (default), or conv and dense
                         kernels only (BatchNorm scales and shifts and biases kept)
  --mixup ALPHA          --cutmix ALPHA      --erasing P (random-erasing probability)
  --teachers DIR,DIR     distil from these model folders (an ensemble: their mean), with --distill-weight W
                         (default 0.7) of the target and --distill-temperature T (default 2); each teacher
                         averages --teacher-tta flip|crops (default flip: the face and its mirror; crops: ten views)
  --teaching fixed|consistent  fixed (default): the teachers' targets once, before the first epoch;
                         consistent: the teachers see each augmented (and mixed) face the student sees, every step
  --distill-form targets|logits  targets (default): the student's probabilities learn (1 - W) x label + W x
                         teachers; logits (with --teaching consistent): Hinton's form, the label trains its
                         probabilities and the teachers its logits / T, weighted W x T^2
  --init DIR             fine-tune: start from the weights of the trained model folder DIR (its architecture;
                         a fresh optimizer), not from a fresh initialization
  --swa-from E           stochastic weight averaging: from epoch E on, average each epoch's weights; each
                         epoch evaluates (and may select) the average, its BatchNorm statistics measured afresh
  --patience N           early stopping on PublicTest accuracy
  --plateau-monitor loss|accuracy  --plateau-factor X  --plateau-patience N
                         what the plateau schedule watches, and how it cuts (Keras's ReduceLROnPlateau)
  --max-hours H          stop after the epoch in which training time passes H hours
  --holdout F            select on a seeded random F of Training (held out of training) instead of
                         PublicTest, as the original project did; PublicTest is still recorded
  --flip P  --shift PX  --rotation DEG  --scale X   geometric augmentation (default: the model's own)
  --limit N              train on the first N Training faces (smoke runs)
  --workers N            data-parallel worker threads (default: 2 on wasm/cpu)
  --backend node|wasm|cpu  preferred backend (node = @tensorflow/tfjs-node when installed)`;

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`--${flag} is "${value}", expected one of ${allowed.join(", ")}`);
  return value as T;
}

function checked(flag: string, value: number | undefined, fallback: number, {min, max, integer = false}: {min: number; max?: number; integer?: boolean}): number {
  if (value === undefined) return fallback;
  if ((integer && !Number.isInteger(value)) || value < min || (max !== undefined && value > max)) {
    const range = max === undefined ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new Error(`--${flag} is ${value}, expected ${integer ? "an integer " : "a number "}${range}`);
  }
  return value;
}

/** The model folder a fine-tune starts from (--init): its architecture and what its metadata.json says of it. */
function initialModel(dir: string): {architecture: string; init: NonNullable<TrainingConfig["init"]>} {
  const file = path.join(dir, MODEL_FILES.metadata);
  if (!fs.existsSync(file)) throw new Error(`--init ${dir}: no ${MODEL_FILES.metadata} there; expected a model folder written by npm run train`);
  const metadata = validateMetadata(readJson(file), file);
  return {
    architecture: metadata.architecture,
    init: {from: dir, secondsTrained: metadata.secondsTrained, epochs: metadata.epochsRun, publicTestAccuracy: metadata.publicTestAccuracy}
  };
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "").replace("T", "-");
}

export interface TrainOptions {
  config: TrainingConfig;
  out: string;
  resume: boolean;
  /** --epochs given with --resume: the total epochs to extend the run to. */
  extendTo?: number;
  backend: BackendPreference;
  data?: string;
  /** Synthetic faces per split instead of FER2013 (tests). */
  synthetic?: number;
}

/** Parses and checks the train CLI's arguments; throws a one-line message naming the bad flag. */
export function parseTrainOptions(argv: readonly string[]): TrainOptions {
  const {flags, positionals} = parseFlags(argv, TRAIN_FLAGS, TRAIN_USAGE);
  if (positionals.length) throw new Error(`unexpected argument "${positionals[0]}"; flags start with --`);
  const init = flags.init === undefined ? null : initialModel(flags.init);
  if (init && flags.model !== undefined && flags.model !== init.architecture) {
    throw new Error(`--model ${flags.model} does not match --init ${flags.init}, a ${init.architecture} model`);
  }
  const name = flags.model ?? init?.architecture ?? defaultArchitecture();
  if (!MODEL_NAMES.includes(name)) throw new Error(`unknown model: ${name} (expected one of ${MODEL_NAMES.join(", ")})`);
  const defaults = modelSpec(name).training;
  const augment = {...DEFAULT_AUGMENT, ...defaults.augment};
  const plateau = defaults.plateau ?? DEFAULT_PLATEAU;
  const seed = checked("seed", flags.seed, 1, {min: 0, max: 2 ** 31, integer: true});
  const config: TrainingConfig = {
    model: name,
    epochs: checked("epochs", flags.epochs, defaults.epochs, {min: 1, integer: true}),
    batch: checked("batch", flags.batch, defaults.batch, {min: 2, integer: true}),
    seed,
    optimizer: oneOf("optimizer", flags.optimizer, ["adam", "sgd"] as const, defaults.optimizer),
    lr: checked("lr", flags.lr, defaults.lr, {min: 1e-8, max: 10}),
    schedule: oneOf("schedule", flags.schedule, SCHEDULES, defaults.schedule),
    labelSmoothing: checked("label-smoothing", flags["label-smoothing"], defaults.labelSmoothing, {min: 0, max: 0.99}),
    weightDecay: checked("weight-decay", flags["weight-decay"], defaults.weightDecay, {min: 0, max: 1}),
    ...(flags["weight-decay-scope"] === undefined ? {} : {weightDecayScope: oneOf("weight-decay-scope", flags["weight-decay-scope"], WEIGHT_DECAY_SCOPES, "all")}),
    classWeights: oneOf("class-weights", flags["class-weights"], CLASS_WEIGHTINGS, "none"),
    mixup: checked("mixup", flags.mixup, 0, {min: 0, max: 10}),
    erasing: checked("erasing", flags.erasing, 0, {min: 0, max: 1}),
    patience: checked("patience", flags.patience, defaults.patience, {min: 0, integer: true}),
    limit: flags.limit === undefined ? null : checked("limit", flags.limit, 0, {min: 1, integer: true}),
    workers: flags.workers === undefined ? null : checked("workers", flags.workers, 0, {min: 0, max: 64, integer: true}),
    augment: {
      flip: checked("flip", flags.flip, augment.flip, {min: 0, max: 1}),
      shift: checked("shift", flags.shift, augment.shift, {min: 0, max: 24}),
      rotation: checked("rotation", flags.rotation, augment.rotation, {min: 0, max: 180}),
      scale: checked("scale", flags.scale, augment.scale, {min: 0, max: 0.9})
    },
    plateau: {
      monitor: oneOf("plateau-monitor", flags["plateau-monitor"], ["loss", "accuracy"] as const, plateau.monitor),
      factor: checked("plateau-factor", flags["plateau-factor"], plateau.factor, {min: 1e-3, max: 0.999}),
      patience: checked("plateau-patience", flags["plateau-patience"], plateau.patience, {min: 1, integer: true})
    },
    maxSeconds: flags["max-hours"] === undefined ? null : checked("max-hours", flags["max-hours"], 0, {min: 1e-6}) * 3600,
    holdout: flags.holdout === undefined ? null : {fraction: checked("holdout", flags.holdout, 0, {min: 0.01, max: 0.9}), seed},
    cutmix: checked("cutmix", flags.cutmix, 0, {min: 0, max: 10}),
    distill: flags.teachers === undefined ? null : {
      teachers: flags.teachers.split(",").map((dir) => dir.trim()).filter(Boolean),
      weight: checked("distill-weight", flags["distill-weight"], 0.7, {min: 0, max: 1}),
      temperature: checked("distill-temperature", flags["distill-temperature"], 2, {min: 0.1, max: 20}),
      ...(flags["teacher-tta"] === undefined ? {} : {tta: oneOf("teacher-tta", flags["teacher-tta"], ["flip", "crops"] as const, "flip")}),
      ...(flags.teaching === undefined ? {} : {teaching: oneOf("teaching", flags.teaching, ["fixed", "consistent"] as const, "fixed")}),
      ...(flags["distill-form"] === undefined ? {} : {form: oneOf("distill-form", flags["distill-form"], ["targets", "logits"] as const, "targets")})
    },
    ...(init ? {init: init.init} : {}),
    ...(flags["swa-from"] === undefined ? {} : {swaFrom: checked("swa-from", flags["swa-from"], 1, {min: 1, integer: true})})
  };
  if (config.swaFrom != null && config.swaFrom > config.epochs) throw new Error(`--swa-from ${config.swaFrom} is past the run's last epoch (--epochs ${config.epochs})`);
  const backend = oneOf("backend", flags.backend, ["node", "wasm", "cpu"] as const, "node");
  if (flags["teacher-tta"] !== undefined && flags.teachers === undefined) throw new Error("--teacher-tta needs --teachers, the models whose views it averages");
  if (flags.teaching !== undefined && flags.teachers === undefined) throw new Error("--teaching needs --teachers, the models that teach");
  if (flags["distill-form"] !== undefined && flags.teachers === undefined) throw new Error("--distill-form needs --teachers, the models that teach");
  if (config.distill?.form === "logits" && config.distill.teaching !== "consistent") {
    throw new Error("--distill-form logits needs --teaching consistent: the teachers label each finished batch, after mixup and CutMix have mixed the labels");
  }
  if (config.distill?.teaching === "consistent" && config.distill.tta !== undefined) {
    throw new Error("--teacher-tta averages views for fixed teaching; with --teaching consistent the teachers see exactly the student's augmented face");
  }
  if (config.weightDecayScope !== undefined && !config.weightDecay) throw new Error("--weight-decay-scope needs --weight-decay, the decay it scopes");
  if (flags.resume && !flags.out) throw new Error("--resume needs --out DIR, the folder of the run to continue");
  const out = path.resolve(flags.out ?? path.join("runs", `${name}-${timestamp()}`));
  const synthetic = flags.synthetic === undefined ? undefined : checked("synthetic", flags.synthetic, 0, {min: 1, integer: true});
  // With --resume, --epochs is the one training flag that counts: it extends the run (see extendRun).
  const extendTo = flags.resume && flags.epochs !== undefined ? config.epochs : undefined;
  return {config, out, resume: Boolean(flags.resume), extendTo, backend, data: flags.data, synthetic};
}
