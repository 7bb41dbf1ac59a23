import {describe, expect, it} from "vitest";
import {FRONTIER_MEASURES, accuracyDomain, frontierLabels, frontierPoints, logTicks} from "../../src/components/ModelComparison.js";
import type {ModelSummaryRow} from "../../src/lib/model-pages.js";

const headline = (accuracy: number) => ({accuracy, top2Accuracy: 0, macroF1: 0, ece: 0});
const model = (name: string, params: number, accuracy: number | null, flip: number | null): ModelSummaryRow => ({
  name, isDefault: false, params, flops: 2 * params * 100, weightBytes: 4 * params, secondsTrained: 0, epochsRun: 0,
  privateTest: accuracy === null ? null : headline(accuracy), publicTest: null, privateTestFlip: flip === null ? null : headline(flip), latencyMs: null, latencyBackend: null, members: null
});

describe("frontierPoints", () => {
  it("frontierPoints(models, published) keeps our evaluated models with their flip accuracy and MFLOPs, then the published ones with a parameter count", () => {
    const points = frontierPoints([model("a", 1e5, 0.66, 0.68), model("unevaluated", 2e5, null, null)], [
      {name: "paper", accuracy: 0.67, params: 9e5, note: ""},
      {name: "no size", accuracy: 0.6, params: null, note: ""}
    ]);
    expect(points.map((p) => p.name)).toEqual(["a", "paper"]);
    expect(points[0]).toMatchObject({params: 1e5, accuracy: 0.66, flipAccuracy: 0.68, ours: true, ensemble: false, mflops: 20, weightBytes: 4e5});
    // The papers give no MFLOPs; their weights are float32 from the parameter count.
    expect(points[1]).toMatchObject({params: 9e5, accuracy: 0.67, flipAccuracy: null, ours: false, mflops: null, weightBytes: 3.6e6});
  });

  it("frontierPoints marks an ensemble of ours, at the sizes of its summary row (its members' sums)", () => {
    const pair = {...model("pair", 3e5, 0.7, 0.71), members: ["a", "b"]};
    const [point] = frontierPoints([pair], []);
    expect(point).toMatchObject({name: "pair", ensemble: true, params: 3e5, mflops: 60, weightBytes: 1.2e6});
  });
});

describe("FRONTIER_MEASURES", () => {
  it("each measure reads its value from a point, null where the papers do not give it, and formats its ticks", () => {
    const [ours, paper] = frontierPoints([model("a", 1e5, 0.66, 0.68)], [{name: "paper", accuracy: 0.67, params: 9e5, note: ""}]);
    expect([FRONTIER_MEASURES.params.value(ours), FRONTIER_MEASURES.mflops.value(ours), FRONTIER_MEASURES.weights.value(ours)]).toEqual([1e5, 20, 4e5]);
    expect([FRONTIER_MEASURES.params.value(paper), FRONTIER_MEASURES.mflops.value(paper), FRONTIER_MEASURES.weights.value(paper)]).toEqual([9e5, null, 3.6e6]);
    expect([FRONTIER_MEASURES.params.format(2e5), FRONTIER_MEASURES.mflops.format(54.2), FRONTIER_MEASURES.weights.format(1024 * 1024)]).toEqual(["200k", "54", "1 MB"]);
  });
});

describe("logTicks", () => {
  it("logTicks(lo, hi) gives 1, 2 and 5 of each power of ten inside [lo, hi]", () => {
    expect(logTicks(37_500, 8.2e6)).toEqual([5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6]);
    expect(logTicks(30, 1100)).toEqual([50, 100, 200, 500, 1000]);
  });

  it("logTicks(lo, hi, 1024) counts bytes in KB, then in MB from 1 MB on, so every tick is a round size", () => {
    const ticks = logTicks(150 * 1024, 25 * 1024 * 1024, 1024);
    expect(ticks).toEqual([200, 500].map((k) => k * 1024).concat([1, 2, 5, 10, 20].map((m) => m * 1024 * 1024)));
    expect(ticks.map(FRONTIER_MEASURES.weights.format)).toEqual(["200 KB", "500 KB", "1 MB", "2 MB", "5 MB", "10 MB", "20 MB"]);
  });
});

describe("accuracyDomain", () => {
  it("spans the points with at least one point to spare, on multiples of 5", () => {
    expect(accuracyDomain([0.66, 0.7164, 0.65])).toEqual([60, 75]);
    expect(accuracyDomain([0.681, 0.689])).toEqual([65, 70]);
    expect(accuracyDomain([0.6401, 0.7399])).toEqual([60, 75]);
  });
});

describe("frontierLabels", () => {
  const at = (name: string, x: number, accuracy: number) => ({name, x, accuracy});

  it("alternates sides in order of size, the more accurate of one size first", () => {
    const labels = frontierLabels([at("kd3", 5.5, 0.687), at("compact", 5.5, 0.671), at("kd", 5.5, 0.691), at("slim", 5.66, 0.682)], {gap: 0.011, near: 0.12});
    expect(labels.map((l) => [l.name, l.side, l.labelY])).toEqual([
      ["kd", 0, 0.691],
      ["kd3", 1, 0.687],
      ["compact", 0, 0.671],
      ["slim", 1, 0.682]
    ]);
  });

  it("puts a name on the side where it need not move, and moves it below a name it would cover only where both sides are taken", () => {
    // c would cover a on the left, so it goes right, where b is far below. e would cover a on the left and c on
    // the right (c's name starts just left of e's dot): it moves below both, on the side after c's.
    const labels = frontierLabels([at("a", 5, 0.70), at("b", 5.01, 0.60), at("c", 5.02, 0.695), at("d", 6, 0.70), at("e", 5.03, 0.698)], {gap: 0.011, near: 0.12});
    const byName = Object.fromEntries(labels.map((l) => [l.name, l]));
    expect([byName.a.side, byName.b.side, byName.c.side]).toEqual([0, 1, 1]);
    expect([byName.a.labelY, byName.b.labelY, byName.c.labelY, byName.d.labelY]).toEqual([0.7, 0.6, 0.695, 0.7]);
    expect(byName.e.side).toBe(0);
    expect(byName.e.labelY).toBeCloseTo(0.684, 10);
  });

  it("keeps a right-hand name and the left-hand name of a slightly larger model from covering each other", () => {
    // compact's name reaches right over slim's, which reaches left: slim moves below compact's name, or to its own right side.
    const labels = frontierLabels([at("compact", 1.734, 0.671), at("slim", 1.878, 0.675)], {gap: 0.011, near: 0.196});
    const [compact, slim] = labels;
    expect(compact.side).toBe(0);
    expect(slim.side).toBe(1);
    expect(slim.labelY).toBe(0.675);
    const crowded = frontierLabels([at("a", 1.70, 0.66), at("compact", 1.734, 0.671), at("slim", 1.878, 0.675), at("far", 2.0, 0.675)], {gap: 0.011, near: 0.196});
    const y = Object.fromEntries(crowded.map((l) => [l.name, [l.side, Number(l.labelY.toFixed(3))]]));
    for (const [i, p] of crowded.entries()) {
      for (const q of crowded.slice(i + 1)) {
        const [plo, phi] = p.side === 0 ? [p.x - 0.196, p.x] : [p.x, p.x + 0.196];
        const [qlo, qhi] = q.side === 0 ? [q.x - 0.196, q.x] : [q.x, q.x + 0.196];
        const overlapX = plo < qhi && qlo < phi;
        expect(overlapX && Math.abs(p.labelY - q.labelY) < 0.011 - 1e-9, `${p.name} and ${q.name} overlap: ${JSON.stringify(y)}`).toBe(false);
      }
    }
  });
});
