import {describe, expect, it} from "vitest";
import {frontierPoints} from "../../src/components/ModelComparison.js";
import type {ModelSummaryRow} from "../../src/lib/model-pages.js";

const headline = (accuracy: number) => ({accuracy, top2Accuracy: 0, macroF1: 0, ece: 0});
const model = (name: string, params: number, accuracy: number | null, flip: number | null): ModelSummaryRow => ({
  name, isDefault: false, params, flops: 2 * params * 100, weightBytes: 4 * params, secondsTrained: 0, epochsRun: 0,
  privateTest: accuracy === null ? null : headline(accuracy), publicTest: null, privateTestFlip: flip === null ? null : headline(flip), latencyMs: null, latencyBackend: null
});

describe("frontierPoints", () => {
  it("frontierPoints(models, published) keeps our evaluated models with their flip accuracy and MFLOPs, then the published ones with a parameter count", () => {
    const points = frontierPoints([model("a", 1e5, 0.66, 0.68), model("unevaluated", 2e5, null, null)], [
      {name: "paper", accuracy: 0.67, params: 9e5, note: ""},
      {name: "no size", accuracy: 0.6, params: null, note: ""}
    ]);
    expect(points.map((p) => p.name)).toEqual(["a", "paper"]);
    expect(points[0]).toMatchObject({params: 1e5, accuracy: 0.66, flipAccuracy: 0.68, ours: true, mflops: 20, weightBytes: 4e5});
    expect(points[1]).toMatchObject({params: 9e5, accuracy: 0.67, flipAccuracy: null, ours: false, mflops: null});
  });
});
