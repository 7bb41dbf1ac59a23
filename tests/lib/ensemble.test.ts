import {describe, expect, it} from "vitest";
import {rankEnsembles, subsets} from "../../src/lib/ensemble.js";

describe("subsets(n, {min, max})", () => {
  it("lists every combination by size, then by index", () => {
    expect(subsets(3)).toEqual([[0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]]);
    expect(subsets(4, {min: 2, max: 2})).toEqual([[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]);
    expect(subsets(5, {max: 5}).length).toBe(31);
    expect(subsets(0)).toEqual([]);
  });
});

describe("rankEnsembles(candidates, labels, {maxMembers})", () => {
  // Seven classes; a face's row puts p on `guess` and the rest on class 6.
  const row = (guess: number, p: number) => Array.from({length: 7}, (_, k) => (k === guess ? p : k === 6 ? 1 - p : 0));
  const labels = [0, 1, 2];
  // a is right on face 0 only, b on face 1 only (each confidently), c leans right on all three but weakly.
  const a = Float32Array.from([...row(0, 0.9), ...row(6, 1), ...row(6, 1)]);
  const b = Float32Array.from([...row(6, 1), ...row(1, 0.9), ...row(6, 1)]);
  const c = Float32Array.from([...row(0, 0.6), ...row(1, 0.6), ...row(2, 0.6)]);

  it("scores every combination up to maxMembers, best accuracy first, and names members by candidate index", () => {
    const ranked = rankEnsembles([a, b, c], labels);
    expect(ranked.length).toBe(7);
    expect(ranked[0]).toMatchObject({members: [2], accuracy: 1});
    const byMembers = new Map(ranked.map((r) => [r.members.join(","), r.accuracy]));
    expect(byMembers.get("0")).toBeCloseTo(1 / 3);
    expect(byMembers.get("0,1")).toBeCloseTo(0);
    // With c, a's confident right answer on face 0 holds and c's weak ones on faces 1 and 2 lose to a's class 6.
    expect(byMembers.get("0,2")).toBeCloseTo(1 / 3);
  });

  it("keeps to maxMembers and refuses an empty list", () => {
    expect(rankEnsembles([a, b, c], labels, {maxMembers: 2}).every((r) => r.members.length <= 2)).toBe(true);
    expect(() => rankEnsembles([], labels)).toThrow("rankEnsembles: no candidates");
  });
});
