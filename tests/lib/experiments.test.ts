import {describe, expect, it} from "vitest";
import {recipeSummary} from "../../src/lib/experiments.js";
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

  it("names the teachers of a distilled run by folder, and the plateau's rule, early stopping, holdout and time budget", () => {
    expect(recipeSummary({...base, epochs: 100, erasing: 0.25, distill: {teachers: ["src/models/fer-slim", "src/models/fer-compact/"], weight: 0.5, temperature: 2}})).toBe(
      "Adam 0.003 one-cycle, 100 epochs, early stop 50, label smoothing 0.1, sqrt class weights, erasing 0.25, distilled from fer-slim + fer-compact (weight 0.5, T 2)"
    );
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
  });
});
