import {describe, expect, it} from "vitest";
import {NEAR_BLANK_MIN_STD, faceStats, findDuplicates, findNearBlank, matchesInPool, meanAbsoluteDifference} from "../../src/lib/duplicates.js";
import {IMAGE_PIXELS, type Fer2013Dataset} from "../../src/lib/dataset.js";
import {SPLITS, type Split} from "../../src/lib/labels.js";

/** A dataset from [face pattern, label, split] triples; equal patterns give byte-identical faces. */
function datasetOf(faces: Array<[number, number, Split]>): Fer2013Dataset {
  const pixels = new Uint8Array(faces.length * IMAGE_PIXELS);
  faces.forEach(([pattern], i) => {
    for (let k = 0; k < IMAGE_PIXELS; k++) pixels[i * IMAGE_PIXELS + k] = (k * 7 + pattern * 13 + ((k * pattern) % 5)) % 256;
  });
  return {
    pixels,
    labels: Uint8Array.from(faces.map(([, label]) => label)),
    splits: Uint8Array.from(faces.map(([, , split]) => SPLITS.indexOf(split))),
    ids: faces.map((_, i) => `face-${i}`)
  };
}

describe("findDuplicates", () => {
  const dataset = datasetOf([
    [1, 3, "Training"], //    0: group A
    [2, 3, "Training"], //    1: unique
    [1, 3, "Training"], //    2: group A
    [5, 0, "Training"], //    3: group B, across Training and PublicTest, conflicting labels
    [5, 2, "PublicTest"], //  4: group B
    [6, 4, "PublicTest"], //  5: group C, across the two test splits
    [6, 4, "PrivateTest"], // 6: group C
    [7, 6, "Training"], //    7: group D, in all three splits
    [7, 6, "PublicTest"], //  8
    [7, 6, "PrivateTest"], // 9
    [8, 1, "PrivateTest"] //  10: unique
  ]);
  const {groups, summary} = findDuplicates(dataset);

  it("findDuplicates(dataset) groups byte-identical faces, ordered by first index", () => {
    expect(groups.map((group) => group.indices)).toEqual([[0, 2], [3, 4], [5, 6], [7, 8, 9]]);
  });

  it("findDuplicates(dataset) names each group's splits and labels, and flags conflicting labels", () => {
    expect(groups[1]).toEqual({indices: [3, 4], labels: ["angry", "fear"], splits: ["Training", "PublicTest"], conflicting: true});
    expect(groups[0].conflicting).toBe(false);
  });

  it("findDuplicates(dataset) summarizes groups within and across splits", () => {
    expect(summary).toEqual({
      groups: 4,
      images: 9,
      redundant: 5,
      withinSplit: {Training: 1, PublicTest: 0, PrivateTest: 0},
      acrossSplits: {"Training+PublicTest": 2, "Training+PrivateTest": 1, "PublicTest+PrivateTest": 2},
      testFacesInTraining: {PublicTest: 2, PrivateTest: 1},
      conflictingLabels: 1
    });
  });

  it("findDuplicates(dataset) tells apart faces that differ in a single byte", () => {
    const twins = datasetOf([[3, 0, "Training"], [3, 0, "Training"]]);
    twins.pixels[IMAGE_PIXELS + IMAGE_PIXELS - 1] ^= 1;
    expect(findDuplicates(twins).groups).toEqual([]);
  });
});

describe("findNearBlank", () => {
  const faces = datasetOf([[1, 0, "Training"], [2, 0, "Training"], [3, 0, "PublicTest"]]);
  faces.pixels.fill(0, 0, IMAGE_PIXELS); // face 0: all black
  for (let k = 0; k < IMAGE_PIXELS; k++) faces.pixels[2 * IMAGE_PIXELS + k] = 128 + (k % 2) * 4; // face 2: flat grey, std 2

  it("faceStats(dataset, i) gives the mean and standard deviation of one face", () => {
    expect(faceStats(faces, 0)).toEqual({mean: 0, std: 0});
    const {mean, std} = faceStats(faces, 2);
    expect(mean).toBeCloseTo(130, 10);
    expect(std).toBeCloseTo(2, 10);
  });

  it("findNearBlank(dataset) returns the faces flatter than NEAR_BLANK_MIN_STD", () => {
    expect(NEAR_BLANK_MIN_STD).toBeGreaterThan(2);
    expect(findNearBlank(faces)).toEqual([0, 2]);
  });

  it("findNearBlank(dataset, {minStd}) uses the threshold given", () => {
    expect(findNearBlank(faces, {minStd: 1})).toEqual([0]);
  });
});

describe("matchesInPool", () => {
  // Faces 0-2 are queries, 3-6 the pool: 0 has a byte-identical copy (3), 1 a copy 3 grey levels brighter (4),
  // 2 a copy 6 grey levels brighter (5): not near at the default bound of 4.
  const dataset = datasetOf([[11, 0, "Training"], [12, 1, "Training"], [13, 2, "Training"], [11, 0, "Training"], [12, 1, "Training"], [13, 2, "Training"], [40, 3, "Training"]]);
  const face = (i: number) => dataset.pixels.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS);
  face(4).set(face(1).map((v) => Math.min(255, v + 3)));
  face(5).set(face(2).map((v) => Math.min(255, v + 6)));

  it("matchesInPool(dataset, queries, pool) finds byte-identical and near-identical faces of each query", () => {
    expect(meanAbsoluteDifference(dataset.pixels, 1, 4)).toBeLessThanOrEqual(3);
    expect(meanAbsoluteDifference(dataset.pixels, 2, 5)).toBeGreaterThan(4);
    expect(matchesInPool(dataset, [0, 1, 2], [3, 4, 5, 6])).toEqual(["identical", "near", null]);
    expect(matchesInPool(dataset, [0, 1, 2], [3, 4, 5, 6], {maxMeanDifference: 7})).toEqual(["identical", "near", "near"]);
  });

  it("matchesInPool finds nothing in a pool without the query's face, even the query itself when not pooled", () => {
    expect(matchesInPool(dataset, [0, 1], [6])).toEqual([null, null]);
    expect(matchesInPool(dataset, [6], [6])).toEqual(["identical"]);
  });
});
