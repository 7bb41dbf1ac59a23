import {describe, expect, it} from "vitest";
import {parseConfig, shareTargets, summarize, versusPytorch, stepPhases} from "../../../tools/bench/train.js";
import {defaultArchitecture} from "../../../tools/model-io.js";

describe("the train bench's --configs", () => {
  it("parseConfig reads native and wasm, with engine features switched off after /off=", () => {
    expect(parseConfig("native")).toEqual({name: "native", base: "native", off: []});
    expect(parseConfig("wasm")).toEqual({name: "wasm", base: "wasm", off: []});
    expect(parseConfig("native/off=bn-relu+conv-grads")).toEqual({name: "native/off=bn-relu+conv-grads", base: "native", off: ["bn-relu", "conv-grads"]});
    expect(parseConfig("native/off=all").off).toEqual(["bn-relu", "bn-moving", "conv-grads", "winograd", "keep-blocked", "relu-bn", "dropout", "bn-inference"]);
  });

  it("parseConfig rejects other engines, other suffixes and unknown features", () => {
    expect(() => parseConfig("tensorflow")).toThrow('unknown config "tensorflow", expected native or wasm');
    expect(() => parseConfig("native/bn-relu")).toThrow("only /off=FEATURE+FEATURE may follow");
    expect(() => parseConfig("native/off=bn-rel")).toThrow('FER_ENGINE_OFF names "bn-rel", which is not an engine feature');
  });
});

describe("the train bench's summary", () => {
  const run = (config: string, imagesPerSecond: number, shareOfPeak: number | null) =>
    ({model: "fer-compact", config, workers: 2, trainingImagesPerSecond: imagesPerSecond, shareOfPeak}) as Parameters<typeof summarize>[0][number];

  it("gives each model, configuration and worker count the median of its repeated runs", () => {
    const summary = summarize([run("native", 600, 0.4), run("native/off=all", 500, 0.33), run("native", 660, 0.42), run("native", 630, 0.41), run("native/off=all", 520, null)]);
    expect(summary).toEqual([
      {model: "fer-compact", config: "native", workers: 2, runs: 3, imagesPerSecond: 630, shareOfPeak: 0.41},
      {model: "fer-compact", config: "native/off=all", workers: 2, runs: 2, imagesPerSecond: 510, shareOfPeak: 0.33}
    ]);
  });
});

describe("the train bench against PyTorch", () => {
  it("parseConfig takes pytorch as a configuration of its own", () => {
    expect(parseConfig("pytorch")).toEqual({name: "pytorch", base: "pytorch", off: []});
    expect(() => parseConfig("pytorch/off=bn-relu")).toThrow("unknown config");
  });

  it("versusPytorch divides each engine configuration's median by PyTorch's on the same model and threads", () => {
    const row = (model: string, config: string, workers: number, imagesPerSecond: number) => ({model, config, workers, runs: 1, imagesPerSecond, shareOfPeak: null});
    const ratios = versusPytorch([row("seed-vgg", "native", 2, 90), row("seed-vgg", "pytorch", 2, 40), row("seed-vgg", "native", 1, 50), row("fer-compact", "native", 2, 600)]);
    expect(ratios).toEqual([{model: "seed-vgg", config: "native", workers: 2, ratio: 2.25}]);
  });
});

describe("the train bench's step phases", () => {
  it("gives each worker's median gradient, barrier and update time, and the wall time beyond the slowest worker", () => {
    const timings = [
      {computeMs: [100, 90], waitMs: [0, 10], applyMs: [20, 20]},
      {computeMs: [110, 100], waitMs: [0, 10], applyMs: [22, 20]},
      {computeMs: [300, 290], waitMs: [1, 11], applyMs: [21, 21]}
    ];
    // Slowest worker per step: 120, 132, 322 ms; the steps took 125, 140 and 330 ms.
    expect(stepPhases([125, 140, 330], timings)).toEqual({compute: [110, 100], wait: [0, 10], apply: [21, 20], outside: 8});
  });
});

describe("the train bench's targets", () => {
  it("asks 0.6 of the peak of seed-vgg and 0.4 of the shipped default model's architecture (issue 15)", () => {
    const architecture = defaultArchitecture();
    expect(architecture).toBe("fer-tail-blur"); // fer-tail-blur-ct8's architecture: the default since 2026-12-07 (issue 11)
    expect(shareTargets()).toEqual({"seed-vgg": 0.6, [architecture]: 0.4});
  });
});
