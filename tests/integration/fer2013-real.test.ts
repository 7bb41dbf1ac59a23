// The reader on the real FER2013, when FER2013_PATH points at it (CI sets FER2013_PATH=../shared/fer2013).
// The first run fills the project's .cache/fer2013 (~20 s from image folders); later runs read the cache.

import {describe, expect, it} from "vitest";
import {loadFer2013} from "../../tools/fer2013.js";
import {classCounts, datasetSize} from "../../src/lib/dataset.js";
import {findDuplicates, findNearBlank} from "../../src/lib/duplicates.js";
import {OFFICIAL_COUNTS} from "../../src/lib/labels.js";

describe.skipIf(!process.env.FER2013_PATH)("FER2013 at FER2013_PATH", () => {
  let loading: ReturnType<typeof loadFer2013> | undefined;
  const load = () => (loading ??= loadFer2013()); // one load shared by the tests, started by the first

  it("loadFer2013() gives the official per-split, per-class counts", async () => {
    const dataset = await load();
    expect(classCounts(dataset)).toEqual(OFFICIAL_COUNTS);
    expect(datasetSize(dataset)).toBe(35887);
    expect(new Set(dataset.ids).size).toBe(datasetSize(dataset));
  });

  it("loadFer2013() a second time reads the cache and returns the same arrays", async () => {
    const first = await load();
    const second = await loadFer2013();
    expect(second.cached).toBe(true);
    expect(second.labels).toEqual(first.labels);
    expect(second.splits).toEqual(first.splits);
    expect(second.ids).toEqual(first.ids);
    expect(Buffer.compare(Buffer.from(second.pixels), Buffer.from(first.pixels))).toBe(0);
  });

  it("findDuplicates() finds the dataset README's ~1,500 groups (~3,400 images) of identical faces", async () => {
    const {summary} = findDuplicates(await load());
    expect(summary.groups).toBeGreaterThan(1400);
    expect(summary.groups).toBeLessThan(1600);
    expect(summary.images).toBeGreaterThan(3200);
    expect(summary.images).toBeLessThan(3600);
    expect(summary.acrossSplits["Training+PrivateTest"]).toBeGreaterThan(0);
  });

  it("findNearBlank() finds the README's few near-blank images", async () => {
    const nearBlank = findNearBlank(await load());
    expect(nearBlank.length).toBeGreaterThan(0);
    expect(nearBlank.length).toBeLessThan(100);
  });
});
