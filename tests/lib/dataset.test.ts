import {describe, expect, it} from "vitest";
import {randomHoldout} from "../../src/lib/dataset.js";

describe("randomHoldout", () => {
  const indices = Int32Array.from({length: 101}, (_, i) => 1000 + 2 * i);

  it("randomHoldout(indices, {fraction, seed}) holds out ceil(fraction x n), disjoint from the rest, both in order", () => {
    const {kept, holdout} = randomHoldout(indices, {fraction: 0.2, seed: 5});
    expect(holdout.length).toBe(21);
    expect(kept.length).toBe(80);
    const all = new Set([...kept, ...holdout]);
    expect(all.size).toBe(101);
    expect([...all].every((i) => indices.includes(i))).toBe(true);
    expect([...kept]).toEqual([...kept].sort((a, b) => a - b));
    expect([...holdout]).toEqual([...holdout].sort((a, b) => a - b));
  });

  it("randomHoldout is seeded: the same seed gives the same cut, another seed another", () => {
    const a = randomHoldout(indices, {fraction: 0.2, seed: 5});
    expect(randomHoldout(indices, {fraction: 0.2, seed: 5})).toEqual(a);
    expect(randomHoldout(indices, {fraction: 0.2, seed: 6}).holdout).not.toEqual(a.holdout);
    expect(indices[0]).toBe(1000);
  });

  it("randomHoldout rejects a fraction outside (0, 1) or one that leaves nothing to train on", () => {
    expect(() => randomHoldout(indices, {fraction: 0, seed: 1})).toThrow("holdout fraction must be in (0, 1), got 0");
    expect(() => randomHoldout(Int32Array.of(1), {fraction: 0.5, seed: 1})).toThrow("a holdout of 0.5 leaves nothing of 1 faces to train on");
  });
});
