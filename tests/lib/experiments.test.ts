import {describe, expect, it} from "vitest";
import {ablations, architectureComparisons, noteHeadline, noteParagraphs, noteSpans, recipeParts, recipeSummary, runState, selectionOptimism, settledAccuracy, type Experiment} from "../../src/lib/experiments.js";
import type {TrainingConfig} from "../../src/lib/model-folder.js";

const base: TrainingConfig = {
  model: "fer-compact", epochs: 50, batch: 64, seed: 1, optimizer: "adam", lr: 0.003, schedule: "onecycle", labelSmoothing: 0.1,
  weightDecay: 0, classWeights: "sqrt", mixup: 0, erasing: 0, patience: 50, limit: null, workers: null,
  augment: {flip: 0.5, shift: 4, rotation: 10, scale: 0.1}
};

describe("recipeSummary(training)", () => {
  it("says the optimizer, schedule and epochs, then only the regularizers a run turned on", () => {
    expect(recipeSummary(base)).toBe("Adam 0.003 one-cycle, 50 epochs, label smoothing 0.1, sqrt class weights");
  });

  it("names the teachers of a distilled run by folder (with their views or consistent teaching), and the plateau's rule, early stopping, holdout and time budget", () => {
    expect(recipeSummary({...base, epochs: 100, erasing: 0.25, distill: {teachers: ["src/models/fer-slim", "src/models/fer-compact/"], weight: 0.5, temperature: 2}})).toBe(
      "Adam 0.003 one-cycle, 100 epochs, early stop 50, label smoothing 0.1, sqrt class weights, erasing 0.25, distilled from fer-slim + fer-compact (weight 0.5, T 2)"
    );
    expect(recipeParts({...base, distill: {teachers: ["src/models/fer-tail-kd"], weight: 0.5, temperature: 2, tta: "crops"}}).at(-1)).toBe(
      "distilled from fer-tail-kd (weight 0.5, T 2, ten views)"
    );
    expect(recipeParts({...base, distill: {teachers: ["src/models/fer-tail-kd"], weight: 0.5, temperature: 2, teaching: "consistent"}}).at(-1)).toBe(
      "distilled from fer-tail-kd (weight 0.5, T 2, consistent)"
    );
    expect(recipeParts({...base, distill: {teachers: ["src/models/fer-tail-kd"], weight: 0.5, temperature: 2, teaching: "consistent", form: "logits"}}).at(-1)).toBe(
      "distilled from fer-tail-kd (weight 0.5, T 2, consistent, on logits / T)"
    );
    expect(recipeParts({...base, schedule: "constant", lr: 5e-4, init: {from: "runs/fer-tail-kd4/", epochs: 200, secondsTrained: 8096.9, publicTestAccuracy: 0.6904}, swaFrom: 1}).slice(-2)).toEqual([
      "fine-tuned from fer-tail-kd4 (200 epochs, PublicTest 69.04%)",
      "weight averaging (SWA) from epoch 1"
    ]);
    const original: TrainingConfig = {
      ...base, model: "seed-vgg", epochs: 40, lr: 0.001, schedule: "plateau", labelSmoothing: 0, classWeights: "none", patience: 10,
      plateau: {monitor: "loss", factor: 0.9, patience: 5}, maxSeconds: 28800, holdout: {fraction: 0.2, seed: 7}, batch: 32
    };
    expect(recipeSummary(original)).toBe(
      "Adam 0.001 reduce-on-plateau (loss, x0.9 after 5), 40 epochs, early stop 10, batch 32, selected on a random 20% of Training, at most 8 h"
    );
    expect(recipeSummary({...base, optimizer: "sgd", lr: 0.1, schedule: "cosine", weightDecay: 5e-4, mixup: 0.2, cutmix: 1, labelSmoothing: 0, classWeights: "none"})).toBe(
      "SGD 0.1 cosine, 50 epochs, weight decay 0.0005, mixup 0.2, CutMix 1"
    );
    expect(recipeSummary({...base, weightDecay: 0.05, weightDecayScope: "kernels"})).toContain("weight decay 0.05 (kernels only)");
  });

  it("leaves out label smoothing when the teachers are the whole target (distillation weight 1), and keeps the class weights, which still act", () => {
    const pure = recipeSummary({...base, distill: {teachers: ["src/models/fer-tail-ct4"], weight: 1, temperature: 1, teaching: "consistent"}});
    expect(pure).not.toContain("label smoothing");
    expect(pure).toContain("sqrt class weights");
    expect(recipeSummary({...base, distill: {teachers: ["src/models/fer-tail-ct4"], weight: 0.5, temperature: 2}})).toContain("label smoothing 0.1");
  });
});

describe("settledAccuracy(experiment)", () => {
  const experiment = (publicTestByEpoch: number[], finished = true) => ({publicTestByEpoch, finished}) as Experiment;

  it("settledAccuracy(e) is the mean PublicTest accuracy of a finished run's last 10 epochs, not its best one", () => {
    const byEpoch = [0.5, 0.7, ...Array.from({length: 10}, (_, i) => 0.6 + i * 0.002)];
    expect(settledAccuracy(experiment(byEpoch))).toBeCloseTo(0.609, 10);
    expect(settledAccuracy(experiment(byEpoch), 2)).toBeCloseTo(0.617, 10);
  });

  it("settledAccuracy(e) is null for a run still training or with fewer epochs than it averages", () => {
    expect(settledAccuracy(experiment(Array(12).fill(0.6), false))).toBeNull();
    expect(settledAccuracy(experiment(Array(9).fill(0.6)))).toBeNull();
  });
});

describe("runState(experiment)", () => {
  it("a run that ended by its own rules is finished, whatever else it says; an unfinished one is stopped when marked so, else still training", () => {
    expect(runState({finished: true})).toBe("finished");
    expect(runState({finished: true, stopped: true})).toBe("finished");
    expect(runState({finished: false, stopped: true})).toBe("stopped");
    expect(runState({finished: false})).toBe("training");
  });
});

describe("selectionOptimism(experiments)", () => {
  it("selectionOptimism(runs) is the median of selected minus settled accuracy over the PublicTest-selected runs that have both", () => {
    const run = (publicTestAccuracy: number, last: number, extra: Partial<Experiment> = {}) =>
      ({publicTestAccuracy, publicTestByEpoch: Array(10).fill(last), finished: true, selection: "PublicTest", ...extra}) as Experiment;
    const runs = [run(0.69, 0.68), run(0.70, 0.685), run(0.66, 0.655), run(0.9, 0.5, {selection: "TrainingHoldout"}), run(0.9, 0.5, {finished: false})];
    const optimism = selectionOptimism(runs)!;
    expect(optimism.runs).toBe(3);
    expect(optimism.median).toBeCloseTo(0.01, 10);
    expect(selectionOptimism([run(0.69, 0.68), run(0.70, 0.68)])!.median).toBeCloseTo(0.015, 10);
    expect(selectionOptimism([])).toBeNull();
  });
});

describe("architectureComparisons(experiments)", () => {
  const run = (name: string, architecture: string, flops: number, training: Partial<TrainingConfig>, accuracy: number, extra: Partial<Experiment> = {}): Experiment => ({
    name, architecture, params: flops / 100, flops, training: {...base, epochs: 100, patience: 100, seed: 8, ...training}, selection: "PublicTest",
    epochsRun: 100, finished: true, bestEpoch: 100, publicTestAccuracy: accuracy, publicTestByEpoch: [], secondsTrained: 60, imagesPerSecond: null, note: null, ...extra
  });

  it("groups runs of one recipe, seed and batch on different networks, the cheapest network as the baseline, each other run as the network it swapped in", () => {
    const epochs = (last: number) => [...Array(90).fill(0.5), ...Array(10).fill(last)];
    const [comparison, ...more] = architectureComparisons([
      run("tail-blur", "fer-tail-blur", 54_062_336, {}, 0.6957, {publicTestByEpoch: epochs(0.6917)}),
      run("tail", "fer-tail", 53_751_296, {}, 0.6829, {publicTestByEpoch: epochs(0.6811)}),
      run("tail-mixup", "fer-tail", 53_751_296, {mixup: 0.2}, 0.69)
    ]);
    expect(more).toHaveLength(0);
    expect(comparison.baseline.name).toBe("tail");
    expect(comparison.rows.map((r) => [r.experiment.name, r.added, r.removed, Number(r.difference.toFixed(4)), Number(r.settledDifference!.toFixed(4))])).toEqual([
      ["tail-blur", ["fer-tail-blur (54.1 MFLOPs, 541K weights)"], ["fer-tail (53.8 MFLOPs, 538K weights)"], 0.0128, 0.0106]
    ]);
  });

  it("takes a shipped run as the baseline before a cheaper one", () => {
    const experiments = [run("wide", "fer-tail-wide", 59e6, {}, 0.698), run("tail", "fer-tail", 53.8e6, {}, 0.7035)];
    expect(architectureComparisons(experiments)[0].baseline.name).toBe("tail");
    expect(architectureComparisons(experiments, {shipped: ["wide"]})[0].baseline.name).toBe("wide");
  });

  it("leaves out runs of one network only, other seeds or recipes, unfinished runs and runs chosen on a holdout", () => {
    expect(architectureComparisons([run("a", "fer-tail", 1e6, {}, 0.6), run("b", "fer-tail", 1e6, {mixup: 0.2}, 0.61)])).toEqual([]);
    expect(architectureComparisons([run("a", "fer-tail", 1e6, {}, 0.6), run("b", "fer-tail-blur", 1e6, {seed: 9}, 0.61)])).toEqual([]);
    expect(architectureComparisons([run("a", "fer-tail", 1e6, {}, 0.6), run("b", "fer-tail-blur", 1e6, {erasing: 0.25}, 0.61)])).toEqual([]);
    expect(architectureComparisons([run("a", "fer-tail", 1e6, {}, 0.6), run("b", "fer-tail-blur", 1e6, {}, 0.61, {finished: false})])).toEqual([]);
    expect(architectureComparisons([run("a", "fer-tail", 1e6, {}, 0.6), run("b", "fer-tail-blur", 1e6, {}, 0.61, {selection: "TrainingHoldout"})])).toEqual([]);
  });
});

describe("ablations(experiments)", () => {
  const run = (name: string, training: Partial<TrainingConfig>, accuracy: number, extra: Partial<Experiment> = {}): Experiment => ({
    name, architecture: "fer-compact", params: 1, flops: 1, training: {...base, epochs: 30, patience: 30, seed: 5, ...training}, selection: "PublicTest",
    epochsRun: 30, finished: true, bestEpoch: 30, publicTestAccuracy: accuracy, publicTestByEpoch: [], secondsTrained: 60, imagesPerSecond: null, note: null, ...extra
  });

  it("groups runs of one network, epochs and seed, takes the run closest to all the others as the baseline, and says what each other run changed and bought", () => {
    const experiments = [
      run("abl-sgd", {optimizer: "sgd", lr: 0.01, schedule: "plateau", plateau: {monitor: "accuracy", factor: 0.5, patience: 3}}, 0.64),
      run("abl-base", {}, 0.65),
      run("abl-decay", {weightDecay: 0.05}, 0.6575),
      run("abl-mixup", {mixup: 0.2}, 0.65)
    ];
    const [ablation, ...more] = ablations(experiments);
    expect(more).toHaveLength(0);
    expect(ablation.baseline.name).toBe("abl-base");
    // Without per-epoch accuracies there is no settled accuracy to compare.
    expect(ablation.rows.map((r) => r.settledDifference)).toEqual([null, null, null]);
    expect(ablation.rows.map((r) => [r.experiment.name, r.added, r.removed, Number(r.difference.toFixed(4))])).toEqual([
      ["abl-decay", ["weight decay 0.05"], [], 0.0075],
      ["abl-mixup", ["mixup 0.2"], [], 0],
      ["abl-sgd", ["SGD 0.01 reduce-on-plateau (accuracy, x0.5 after 3)"], ["Adam 0.003 one-cycle"], -0.01]
    ]);
  });

  it("compares where the runs settled too: each row's settledDifference is its last-10-epoch mean minus the baseline's", () => {
    const epochs = (last: number) => [...Array(20).fill(0.5), ...Array(10).fill(last)];
    const [ablation] = ablations([
      run("base", {}, 0.66, {publicTestByEpoch: epochs(0.64)}),
      run("lucky", {mixup: 0.2}, 0.68, {publicTestByEpoch: epochs(0.635)}),
      run("steady", {erasing: 0.25}, 0.665, {publicTestByEpoch: epochs(0.65)})
    ]);
    expect(ablation.rows.map((r) => [r.experiment.name, Number(r.difference.toFixed(4)), Number(r.settledDifference!.toFixed(4))])).toEqual([
      ["lucky", 0.02, -0.005],
      ["steady", 0.005, 0.01]
    ]);
  });

  it("among runs equally close to the others, takes a shipped one as the baseline, else the first name", () => {
    const experiments = [run("b-shipped", {mixup: 0.2}, 0.66), run("a-variant", {erasing: 0.25}, 0.65), run("c-variant", {cutmix: 1}, 0.64)];
    expect(ablations(experiments)[0].baseline.name).toBe("a-variant");
    expect(ablations(experiments, {shipped: ["b-shipped"]})[0].baseline.name).toBe("b-shipped");
  });

  it("leaves out pairs, other seeds or epochs, unfinished runs and runs chosen on a holdout", () => {
    const experiments = [
      run("a", {}, 0.65), run("b", {mixup: 0.2}, 0.66), run("c", {seed: 6, erasing: 0.25}, 0.66), run("d", {epochs: 50, erasing: 0.25}, 0.67),
      run("e", {erasing: 0.25}, 0.66, {finished: false}), run("f", {cutmix: 1}, 0.66, {selection: "TrainingHoldout"})
    ];
    expect(ablations(experiments)).toEqual([]);
  });
});

describe("run notes: noteHeadline, noteParagraphs and noteSpans", () => {
  it("noteHeadline(note) is the first sentence, ended by '.', '?' or '!' and a space", () => {
    expect(noteHeadline("Issue 11: is the default its recipe or its seed? The same recipe, seed 55. Result: 69.63%.")).toBe(
      "Issue 11: is the default its recipe or its seed?"
    );
    expect(noteHeadline("One sentence only.")).toBe("One sentence only.");
    expect(noteHeadline("  No full stop at all  ")).toBe("No full stop at all");
  });

  it("noteHeadline(note) does not end a sentence at a decimal point, before a number, after an abbreviation or inside a code span", () => {
    expect(noteHeadline("Adam to 0.003 and T 2. Then more.")).toBe("Adam to 0.003 and T 2.");
    expect(noteHeadline("Beyer et al. 2022 showed it, e.g. for ResNets. Rest.")).toBe("Beyer et al. 2022 showed it, e.g. for ResNets.");
    expect(noteHeadline("Run `npm run train -- --out a. b` first. Rest.")).toBe("Run `npm run train -- --out a. b` first.");
    expect(noteHeadline("Epochs 1-30 gave 60%. 70% came later.")).toBe("Epochs 1-30 gave 60%. 70% came later.");
  });

  it("noteParagraphs(note) splits at blank lines and drops empty paragraphs", () => {
    expect(noteParagraphs("First paragraph\nstill first.\n\n  Result: 69%.  \n\n\n")).toEqual(["First paragraph\nstill first.", "Result: 69%."]);
    expect(noteParagraphs("")).toEqual([]);
  });

  it("noteSpans(text) gives the text and its `code` spans in order, without the backticks; an unclosed backtick stays text", () => {
    expect(noteSpans("The command: `npm run train -- --seed 89`. It replaces `fer-tail-ct4`")).toEqual([
      {text: "The command: ", code: false},
      {text: "npm run train -- --seed 89", code: true},
      {text: ". It replaces ", code: false},
      {text: "fer-tail-ct4", code: true}
    ]);
    expect(noteSpans("a ` b")).toEqual([{text: "a ` b", code: false}]);
    expect(noteSpans("")).toEqual([]);
  });
});
