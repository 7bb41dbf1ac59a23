import {afterAll, describe, expect, it} from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {errorLines, runCli, startCli} from "./helpers.js";
import {openTrainer} from "../../tools/train-loop.js";
import {parseTrainOptions} from "../../tools/train-options.js";
import {loadModelFolder, readJson} from "../../tools/model-io.js";
import {syntheticDataset} from "../../tools/synthetic.js";
import {facesToInput} from "../../src/lib/preprocess.js";
import {smoothedTargets} from "../../src/lib/targets.js";
import {EMOTIONS} from "../../src/lib/labels.js";
import {MODEL_NAMES} from "../../src/lib/models/index.js";
import {validateMetadata, type History, type TrainingConfig} from "../../src/lib/model-folder.js";

const temp = fs.mkdtempSync(path.join(os.tmpdir(), "fer-train-"));
afterAll(() => fs.rmSync(temp, {recursive: true, force: true}));

// A run small enough for a test: the toy model, 70 synthetic faces per split, batch 16, 3 epochs.
const RUN = ["--model", "tiny", "--synthetic", "70", "--epochs", "3", "--batch", "16", "--seed", "3", "--workers", "2"];

describe("training steps", () => {
  it("a few steps of the toy model on a fixed synthetic batch reduce the loss", async () => {
    const config: TrainingConfig = {
      model: "tiny", epochs: 1, batch: 32, seed: 1, optimizer: "adam", lr: 3e-3, schedule: "constant", labelSmoothing: 0,
      weightDecay: 0, classWeights: "none", mixup: 0, erasing: 0, patience: 0, limit: null, workers: 0,
      augment: {flip: 0, shift: 0, rotation: 0, scale: 0}
    };
    const dataset = syntheticDataset(32);
    const indices = Array.from({length: 32}, (_, i) => i);
    const batch = {xs: facesToInput(dataset.pixels, indices), targets: smoothedTargets(dataset.labels.subarray(0, 32), {classes: 7})};
    const trainer = await openTrainer({config, backend: "wasm"});
    const losses: number[] = [];
    for (let step = 0; step < 12; step++) losses.push((await trainer.step(batch, {learningRate: 3e-3})).loss);
    await trainer.dispose();
    expect(losses[losses.length - 1]).toBeLessThan(0.8 * losses[0]);
  });

  it("weightDecayScope kernels decays the conv and dense kernels and leaves BatchNorm scales, shifts and biases alone", async () => {
    const base: TrainingConfig = {
      model: "tiny", epochs: 1, batch: 16, seed: 2, optimizer: "adam", lr: 0.05, schedule: "constant", labelSmoothing: 0,
      weightDecay: 0.5, classWeights: "none", mixup: 0, erasing: 0, patience: 0, limit: null, workers: 0,
      augment: {flip: 0, shift: 0, rotation: 0, scale: 0}
    };
    const dataset = syntheticDataset(16);
    const indices = Array.from({length: 16}, (_, i) => i);
    const batch = {xs: facesToInput(dataset.pixels, indices), targets: smoothedTargets(dataset.labels.subarray(0, 16), {classes: 7})};
    const after = async (config: TrainingConfig) => {
      const trainer = await openTrainer({config, backend: "wasm"});
      // One step: from the same weights all three see the same gradient, so they differ by the decay alone.
      await trainer.step(batch, {learningRate: config.lr});
      const weights = await trainer.getWeights();
      await trainer.dispose();
      return new Map(weights.map((w) => [w.name, {rank: w.shape.length, values: Array.from(w.values)}]));
    };
    const all = await after(base);
    const none = await after({...base, weightDecay: 0});
    const kernels = await after({...base, weightDecayScope: "kernels"});
    let kernelCount = 0;
    let otherCount = 0;
    for (const [name, {rank, values}] of kernels) {
      if (/moving_/.test(name)) continue;
      const expected = rank >= 2 ? all.get(name)! : none.get(name)!;
      if (rank >= 2) kernelCount++;
      else if (/gamma/.test(name)) otherCount++;
      expect(Math.max(...values.map((v, i) => Math.abs(v - expected.values[i]))), name).toBeLessThan(1e-5);
      // And the two references differ where the weights start away from zero (shifts and biases start at 0,
      // which no decay moves in one step), so the comparison tells them apart.
      const other = rank >= 2 ? none.get(name)! : all.get(name)!;
      if (/kernel|gamma/.test(name)) expect(Math.max(...values.map((v, i) => Math.abs(v - other.values[i]))), name).toBeGreaterThan(1e-4);
    }
    expect([kernelCount > 0, otherCount > 0]).toEqual([true, true]);
  });
});

describe("npm run train", () => {
  it("train --out DIR writes the model folder: model.json, weights, metadata.json and history.json", async () => {
    const out = path.join(temp, "full");
    const {code, stdout, stderr} = await runCli("train", [...RUN, "--out", out]);
    expect(stderr).toMatch(/epoch 3\/3 done/);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({model: "tiny", epochsRun: 3, finished: true});
    const metadata = validateMetadata(readJson(path.join(out, "metadata.json")));
    expect(metadata.labels).toEqual([...EMOTIONS]);
    expect(metadata).toMatchObject({architecture: "tiny", bestEpoch: result.bestEpoch, epochsRun: 3});
    expect(metadata.training).toMatchObject({model: "tiny", epochs: 3, batch: 16, seed: 3});
    const history = readJson<History>(path.join(out, "history.json"));
    expect(history.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    for (const key of ["trainLoss", "trainAccuracy", "publicTestLoss", "publicTestAccuracy", "lr", "seconds", "imagesPerSecond"]) {
      expect(history.epochs[0]).toHaveProperty(key);
    }
    expect(Math.max(...history.epochs.map((e) => e.publicTestAccuracy))).toBe(metadata.publicTestAccuracy);
    const model = await loadModelFolder(out);
    expect(model.outputs[0].shape).toEqual([null, 7]);

    // Killed during epoch 2 and resumed: the same weights as the uninterrupted run, byte for byte.
    const killed = path.join(temp, "killed");
    const run = startCli("train", [...RUN, "--out", killed], {detached: true});
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (run.child.exitCode !== null) reject(new Error("the run ended before it could be killed"));
        else if (fs.existsSync(path.join(killed, "checkpoint", "state.json"))) {
          clearInterval(timer);
          process.kill(-run.child.pid!, "SIGKILL");
          resolve();
        }
      }, 20);
    });
    await run.done;
    expect(readJson<{epoch: number}>(path.join(killed, "checkpoint", "state.json")).epoch).toBeLessThan(3);
    const resumed = await runCli("train", ["--out", killed, "--resume", "--synthetic", "70"]);
    expect(resumed.code).toBe(0);
    expect(fs.readFileSync(path.join(killed, "checkpoint", "weights.bin"))).toEqual(fs.readFileSync(path.join(out, "checkpoint", "weights.bin")));
    expect(fs.readFileSync(path.join(killed, "weights.bin"))).toEqual(fs.readFileSync(path.join(out, "weights.bin")));
    const lossesOf = (dir: string) => readJson<History>(path.join(dir, "history.json")).epochs.map((e) => [e.trainLoss, e.publicTestLoss]);
    expect(lossesOf(killed)).toEqual(lossesOf(out));
  }, 120_000);

  it("train --resume --epochs N extends a finished constant-schedule run to the run that --epochs N gives", async () => {
    // The 3-epoch run of the first test, against 2 epochs then an extension to 3.
    const full = path.join(temp, "full");
    const extended = path.join(temp, "extended");
    const RUN_2 = RUN.map((flag, i) => (RUN[i - 1] === "--epochs" ? "2" : flag));
    expect((await runCli("train", [...RUN_2, "--out", extended])).code).toBe(0);
    const result = await runCli("train", ["--out", extended, "--resume", "--epochs", "3", "--synthetic", "70"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({epochsRun: 3, finished: true});
    expect(fs.readFileSync(path.join(extended, "checkpoint", "weights.bin"))).toEqual(fs.readFileSync(path.join(full, "checkpoint", "weights.bin")));
    expect(readJson<{training: TrainingConfig}>(path.join(extended, "metadata.json")).training.epochs).toBe(3);

    const shorter = await runCli("train", ["--out", extended, "--resume", "--epochs", "2", "--synthetic", "70"]);
    expect(errorLines(shorter.stderr)).toEqual(["error: --epochs 2 with --resume: the run already plans 3 epochs; it can only be extended"]);
    const onecycle = path.join(temp, "onecycle");
    expect((await runCli("train", [...RUN_2, "--schedule", "onecycle", "--out", onecycle])).code).toBe(0);
    const refused = await runCli("train", ["--out", onecycle, "--resume", "--epochs", "3", "--synthetic", "70"]);
    expect(errorLines(refused.stderr)).toEqual([
      "error: --epochs with --resume extends only constant or plateau schedules; this run's onecycle schedule depends on its length (2 epochs)"
    ]);
    expect(refused.code).toBe(1);
  });

  it("train --teachers DIR distils from a trained model (its ten views with --teacher-tta crops; with --cutmix), recording both in metadata.json", async () => {
    const teacher = path.join(temp, "full");
    const out = path.join(temp, "student");
    const {code, stdout, stderr} = await runCli("train", [...RUN, "--epochs", "1", "--teachers", teacher, "--distill-weight", "0.5", "--teacher-tta", "crops", "--cutmix", "1", "--out", out]);
    expect(code).toBe(0);
    // The teachers' pass comes before the first epoch and says what it is doing.
    expect(stderr).toMatch(/teachers' soft targets: 1 teacher, ten views, \d+ faces in \d+ s/);
    expect(JSON.parse(stdout)).toMatchObject({epochsRun: 1, finished: true});
    const metadata = validateMetadata(readJson(path.join(out, "metadata.json")));
    expect(metadata.training).toMatchObject({cutmix: 1, distill: {teachers: [teacher], weight: 0.5, temperature: 2, tta: "crops"}});
    // The same teachers again (a resumed run, or another student): their targets come from .cache/teachers/,
    // and the student is the same to the bit.
    const again = path.join(temp, "student-again");
    const second = await runCli("train", [...RUN, "--epochs", "1", "--teachers", teacher, "--distill-weight", "0.5", "--teacher-tta", "crops", "--cutmix", "1", "--out", again]);
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/teachers' soft targets: 1 teacher, ten views, \d+ faces from the cache \(\.cache\/teachers\/[0-9a-f]{32}\.f32\)/);
    expect(fs.readFileSync(path.join(again, "weights.bin")).equals(fs.readFileSync(path.join(out, "weights.bin")))).toBe(true);
  }, 90_000);

  it("train --teaching consistent has the teachers label every augmented, mixed batch: recorded, repeatable, not the fixed targets", async () => {
    const teacher = path.join(temp, "full");
    const consistent = ["--epochs", "1", "--teachers", teacher, "--distill-weight", "0.5", "--teaching", "consistent", "--cutmix", "1"];
    const first = path.join(temp, "consistent");
    const run = await runCli("train", [...RUN, ...consistent, "--out", first]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("teachers: 1 teacher labels every augmented batch (consistent teaching)");
    expect(run.stderr).not.toContain("teachers' soft targets");
    const metadata = validateMetadata(readJson(path.join(first, "metadata.json")));
    expect(metadata.training.distill).toEqual({teachers: [teacher], weight: 0.5, temperature: 2, teaching: "consistent"});
    // The same seed gives the same student, although its batches wait for the teachers' worker threads.
    const second = path.join(temp, "consistent-again");
    expect((await runCli("train", [...RUN, ...consistent, "--out", second])).code).toBe(0);
    const weights = (dir: string) => fs.readFileSync(path.join(dir, "weights.bin"));
    expect(weights(second).equals(weights(first))).toBe(true);
    // The fixed teaching of the same teacher, augmentation and CutMix (its flip views) gives another student.
    const fixed = path.join(temp, "fixed-flip");
    expect((await runCli("train", [...RUN, "--epochs", "1", "--teachers", teacher, "--distill-weight", "0.5", "--cutmix", "1", "--out", fixed])).code).toBe(0);
    expect(weights(fixed).equals(weights(first))).toBe(false);
  }, 120_000);

  it("train --distill-form logits distils on the student's logits / T (Hinton's form): recorded, repeatable, another student than the mix, with SWA", async () => {
    const teacher = path.join(temp, "full");
    const logits = ["--epochs", "2", "--teachers", teacher, "--distill-weight", "0.5", "--teaching", "consistent", "--distill-form", "logits", "--cutmix", "1", "--class-weights", "sqrt"];
    const first = path.join(temp, "logits");
    const run = await runCli("train", [...RUN, ...logits, "--out", first]);
    expect([run.code, errorLines(run.stderr)]).toEqual([0, []]);
    const metadata = validateMetadata(readJson(path.join(first, "metadata.json")));
    expect(metadata.training.distill).toEqual({teachers: [teacher], weight: 0.5, temperature: 2, teaching: "consistent", form: "logits"});
    const history = readJson<History>(path.join(first, "history.json"));
    expect(history.epochs.every((e) => Number.isFinite(e.trainLoss) && e.trainLoss > 0)).toBe(true);
    const weights = (dir: string) => fs.readFileSync(path.join(dir, "weights.bin"));
    // The same seed gives the same student; SWA's BatchNorm refresh steps through the wider targets too.
    const again = path.join(temp, "logits-again");
    expect((await runCli("train", [...RUN, ...logits, "--out", again])).code).toBe(0);
    expect(weights(again).equals(weights(first))).toBe(true);
    const averaged = path.join(temp, "logits-swa");
    const swa = await runCli("train", [...RUN, ...logits, "--swa-from", "2", "--out", averaged]);
    expect([swa.code, errorLines(swa.stderr)]).toEqual([0, []]);
    expect(readJson<History>(path.join(averaged, "history.json")).epochs.map((e) => e.averagedEpochs)).toEqual([undefined, 1]);
    // The mix of the same teacher, batches and weight gives another student.
    const mixed = path.join(temp, "logits-as-targets");
    expect((await runCli("train", [...RUN, ...logits.filter((a, i) => a !== "--distill-form" && logits[i - 1] !== "--distill-form"), "--out", mixed])).code).toBe(0);
    expect(weights(mixed).equals(weights(first))).toBe(false);
  }, 150_000);

  it("train --init DIR --swa-from E fine-tunes a trained model and selects the weight average: recorded, resumable to the bit", async () => {
    const parent = path.join(temp, "full");
    const FINE_TUNE = ["--synthetic", "70", "--batch", "16", "--seed", "5", "--workers", "2", "--init", parent, "--schedule", "constant", "--lr", "0.001", "--swa-from", "2"];
    const SCRATCH = ["--model", "tiny", ...FINE_TUNE.filter((flag, i) => ![flag, FINE_TUNE[i - 1]].some((f) => f === "--init" || f === "--swa-from"))];
    const out = path.join(temp, "swa");
    const run = await runCli("train", [...FINE_TUNE, "--epochs", "3", "--out", out]);
    expect(run.code).toBe(0);
    const metadata = validateMetadata(readJson(path.join(out, "metadata.json")));
    const parentMetadata = validateMetadata(readJson(path.join(parent, "metadata.json")));
    // The architecture comes from the parent, and its training time counts in the fine-tune's.
    expect(metadata.architecture).toBe("tiny");
    expect(metadata.training).toMatchObject({swaFrom: 2, init: {from: parent, epochs: 3, secondsTrained: parentMetadata.secondsTrained, publicTestAccuracy: parentMetadata.publicTestAccuracy}});
    expect(metadata.secondsTrained).toBeGreaterThanOrEqual(parentMetadata.secondsTrained);
    // Epochs from --swa-from on evaluate the average of 1, 2, ... epochs and also record the running weights.
    const history = readJson<History>(path.join(out, "history.json"));
    expect(history.epochs.map((e) => e.averagedEpochs)).toEqual([undefined, 1, 2]);
    expect(history.epochs[0].runningPublicTestAccuracy).toBeUndefined();
    for (const e of history.epochs.slice(1)) expect(e.runningPublicTestAccuracy).toBeGreaterThanOrEqual(0);
    // The first epoch starts from the parent, not from scratch: a fresh tiny model starts at chance.
    const scratch = path.join(temp, "swa-scratch");
    expect((await runCli("train", [...SCRATCH, "--epochs", "1", "--out", scratch])).code).toBe(0);
    const fromScratch = readJson<History>(path.join(scratch, "history.json")).epochs[0];
    expect(history.epochs[0].trainLoss).toBeLessThan(fromScratch.trainLoss);

    // Stopped after 2 epochs and extended to 3: the same running weights and the same average.
    const resumed = path.join(temp, "swa-resumed");
    expect((await runCli("train", [...FINE_TUNE, "--epochs", "2", "--out", resumed])).code).toBe(0);
    expect((await runCli("train", ["--out", resumed, "--resume", "--epochs", "3", "--synthetic", "70"])).code).toBe(0);
    for (const file of ["weights.bin", "average.bin"]) {
      expect(fs.readFileSync(path.join(resumed, "checkpoint", file)).equals(fs.readFileSync(path.join(out, "checkpoint", file)))).toBe(true);
    }
    expect(readJson<History>(path.join(resumed, "history.json")).epochs.map((e) => e.publicTestAccuracy)).toEqual(history.epochs.map((e) => e.publicTestAccuracy));
  }, 90_000);

  it("train --holdout F selects on a seeded part of Training and still records PublicTest; --max-hours ends the run", async () => {
    const out = path.join(temp, "holdout");
    const {code, stdout} = await runCli("train", [...RUN, "--holdout", "0.2", "--max-hours", "0.00001", "--out", out]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({epochsRun: 1, finished: true});
    const metadata = validateMetadata(readJson(path.join(out, "metadata.json")));
    // 70 synthetic Training faces: ceil(0.2 x 70) = 14 held out, 56 trained on.
    expect(metadata.dataset).toEqual({trainingImages: 56, selectionSplit: "TrainingHoldout", selectionImages: 14});
    expect(metadata.training.holdout).toEqual({fraction: 0.2, seed: 3});
    const [epoch] = readJson<History>(path.join(out, "history.json")).epochs;
    expect(metadata.holdoutAccuracy).toBe(epoch.holdoutAccuracy);
    expect(metadata.publicTestAccuracy).toBe(epoch.publicTestAccuracy);
    expect(epoch.holdoutLoss).toBeGreaterThan(0);
  }, 60_000);

  it("train refuses to overwrite a run without --resume or a file named by --out, and --resume needs a checkpoint", async () => {
    const existing = path.join(temp, "existing");
    fs.mkdirSync(path.join(existing, "checkpoint"), {recursive: true});
    fs.writeFileSync(path.join(existing, "checkpoint", "state.json"), JSON.stringify({manifest: {weights: [], optimizer: []}}));
    const empty = path.join(temp, "empty");
    const file = path.join(temp, "a-file");
    fs.writeFileSync(file, "not a folder");
    const [overwrite, nothing, onFile] = await Promise.all([
      runCli("train", [...RUN, "--out", existing]),
      runCli("train", [...RUN, "--out", empty, "--resume"]),
      runCli("train", [...RUN, "--out", file])
    ]);
    expect(errorLines(overwrite.stderr)).toEqual([`error: ${existing} already holds a training run; pass --resume to continue it or choose another --out`]);
    expect(errorLines(nothing.stderr)).toEqual([`error: nothing to resume: no checkpoint in ${path.join(empty, "checkpoint")}`]);
    expect(errorLines(onFile.stderr)).toEqual([`error: --out ${file} is a file, expected a folder for the run (a new one, or one to --resume)`]);
    expect(fs.readFileSync(file, "utf8")).toBe("not a folder");
    expect([overwrite.code, nothing.code, onFile.code]).toEqual([1, 1, 1]);
  }, 60_000);

  it("train gives one error line and exit 1 for an unknown model or missing data", async () => {
    const missing = path.join(temp, "no-such-fer2013");
    const [unknown, noData] = await Promise.all([
      runCli("train", ["--model", "resnet"]),
      runCli("train", ["--model", "tiny", "--data", missing, "--out", path.join(temp, "no-data")])
    ]);
    expect(errorLines(unknown.stderr)).toEqual([`error: unknown model: resnet (expected one of ${MODEL_NAMES.join(", ")})`]);
    expect(errorLines(noData.stderr)).toHaveLength(1);
    expect(errorLines(noData.stderr)[0]).toMatch(`error: fer2013 not found at ${missing}`);
    for (const result of [unknown, noData]) {
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.code).toBe(1);
    }
  }, 60_000);
});

describe("parseTrainOptions", () => {
  it("parseTrainOptions(argv) fills the model's training defaults", () => {
    const {config, resume, backend} = parseTrainOptions(["--model", "seed-vgg", "--out", "x"]);
    expect(config).toMatchObject({model: "seed-vgg", optimizer: "adam", lr: 1e-3, batch: 64, classWeights: "none", mixup: 0, limit: null, workers: null});
    expect([resume, backend]).toEqual([false, "node"]);
  });

  it("parseTrainOptions(argv) gives seed-vgg the original notebook's recipe, and flags override it", () => {
    const {config} = parseTrainOptions(["--model", "seed-vgg", "--out", "x"]);
    expect(config).toMatchObject({
      schedule: "plateau", lr: 1e-3, patience: 10, epochs: 40, maxSeconds: null, holdout: null,
      plateau: {monitor: "loss", factor: 0.9, patience: 5}, augment: {flip: 0.5, shift: 4.8, rotation: 10, scale: 0.1}
    });
    const custom = parseTrainOptions(["--model", "seed-vgg", "--plateau-monitor", "accuracy", "--shift", "2", "--max-hours", "8", "--holdout", "0.2", "--seed", "7"]).config;
    expect(custom).toMatchObject({plateau: {monitor: "accuracy", factor: 0.9, patience: 5}, augment: {shift: 2}, maxSeconds: 8 * 3600, holdout: {fraction: 0.2, seed: 7}});
    expect(config.weightDecayScope).toBeUndefined();
    expect(parseTrainOptions(["--model", "seed-vgg", "--weight-decay", "0.05", "--weight-decay-scope", "kernels"]).config).toMatchObject({weightDecay: 0.05, weightDecayScope: "kernels"});
  });

  it("parseTrainOptions(argv) rejects each bad flag value with a message naming the flag and what it expects", () => {
    const cases: [string[], string][] = [
      [["--optimizer", "rmsprop"], '--optimizer is "rmsprop", expected one of adam, sgd'],
      [["--epochs", "0"], "--epochs is 0, expected an integer >= 1"],
      [["--batch", "6.5"], "--batch is 6.5, expected an integer >= 2"],
      [["--schedule", "step"], '--schedule is "step", expected one of onecycle, cosine, plateau, constant'],
      [["--class-weights", "inverse"], '--class-weights is "inverse", expected one of none, balanced, sqrt'],
      [["--label-smoothing", "1"], "--label-smoothing is 1, expected a number in [0, 0.99]"],
      [["--erasing", "2"], "--erasing is 2, expected a number in [0, 1]"],
      [["--lr", "fast"], 'flag --lr is "fast", expected a number'],
      [["--backend", "gpu"], '--backend is "gpu", expected one of node, wasm, cpu'],
      [["--resume"], "--resume needs --out DIR, the folder of the run to continue"],
      [["--epoch", "3"], "unknown flag --epoch"],
      [["--plateau-monitor", "lr"], '--plateau-monitor is "lr", expected one of loss, accuracy'],
      [["--holdout", "1"], "--holdout is 1, expected a number in [0.01, 0.9]"],
      [["--max-hours", "0"], "--max-hours is 0, expected a number >= 0.000001"],
      [["--shift", "-1"], "--shift is -1, expected a number in [0, 24]"],
      [["--distill-weight", "2", "--teachers", "x"], "--distill-weight is 2, expected a number in [0, 1]"],
      [["--teacher-tta", "ten", "--teachers", "x"], '--teacher-tta is "ten", expected one of flip, crops'],
      [["--teacher-tta", "crops"], "--teacher-tta needs --teachers, the models whose views it averages"],
      [["--teaching", "online", "--teachers", "x"], '--teaching is "online", expected one of fixed, consistent'],
      [["--teaching", "consistent"], "--teaching needs --teachers, the models that teach"],
      [["--distill-form", "hinton", "--teachers", "x", "--teaching", "consistent"], '--distill-form is "hinton", expected one of targets, logits'],
      [["--distill-form", "logits"], "--distill-form needs --teachers, the models that teach"],
      [["--distill-form", "logits", "--teachers", "x"], "--distill-form logits needs --teaching consistent: the teachers label each finished batch, after mixup and CutMix have mixed the labels"],
      [["--teaching", "consistent", "--teacher-tta", "flip", "--teachers", "x"], "--teacher-tta averages views for fixed teaching; with --teaching consistent the teachers see exactly the student's augmented face"],
      [["--weight-decay", "0.05", "--weight-decay-scope", "bn"], '--weight-decay-scope is "bn", expected one of all, kernels'],
      [["--weight-decay-scope", "kernels"], "--weight-decay-scope needs --weight-decay, the decay it scopes"],
      [["--swa-from", "0"], "--swa-from is 0, expected an integer >= 1"],
      [["--swa-from", "4", "--epochs", "3"], "--swa-from 4 is past the run's last epoch (--epochs 3)"],
      [["--init", "src"], "--init src: no metadata.json there; expected a model folder written by npm run train"],
      [["--init", "src/models/fer-tail-kd"], "--model tiny does not match --init src/models/fer-tail-kd, a fer-tail model"]
    ];
    for (const [args, message] of cases) expect(() => parseTrainOptions(["--model", "tiny", ...args])).toThrow(message);
  });
});
