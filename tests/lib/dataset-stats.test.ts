import {describe, expect, it} from "vitest";
import {
  classDistribution, dataQuality, intensityHistograms, meanFaces, packSprite, pickDuplicateGroups, planFaceSprite, sampleFaces
} from "../../src/lib/dataset-stats.js";
import {base64ToBytes, bytesToBase64} from "../../src/lib/base64.js";
import {IMAGE_PIXELS, type Fer2013Dataset} from "../../src/lib/dataset.js";
import {findDuplicates, type DuplicateGroup} from "../../src/lib/duplicates.js";
import {EMOTIONS, SPLITS, type Emotion, type Split} from "../../src/lib/labels.js";

/** A dataset of faces given as [fill(k) for pixel k, emotion, split]. */
function datasetOf(faces: Array<[(k: number) => number, Emotion, Split]>): Fer2013Dataset {
  const pixels = new Uint8Array(faces.length * IMAGE_PIXELS);
  faces.forEach(([fill], i) => {
    for (let k = 0; k < IMAGE_PIXELS; k++) pixels[i * IMAGE_PIXELS + k] = fill(k);
  });
  return {
    pixels,
    labels: Uint8Array.from(faces.map(([, emotion]) => EMOTIONS.indexOf(emotion))),
    splits: Uint8Array.from(faces.map(([, , split]) => SPLITS.indexOf(split))),
    ids: faces.map((_, i) => `face-${i}.png`)
  };
}

const flat = (value: number) => () => value;
const stripes = (k: number) => (k % 2 === 0 ? 40 : 200);

describe("classDistribution", () => {
  it("classDistribution(dataset) counts the faces of every class in every split, zeros included", () => {
    const dataset = datasetOf([
      [flat(1), "happy", "Training"], [flat(2), "happy", "Training"], [flat(3), "disgust", "Training"],
      [flat(4), "sad", "PublicTest"], [flat(5), "neutral", "PrivateTest"]
    ]);
    const {counts} = classDistribution(dataset);
    expect(Object.keys(counts)).toEqual([...SPLITS]);
    expect(counts.Training).toEqual({angry: 0, disgust: 1, fear: 0, happy: 2, sad: 0, surprise: 0, neutral: 0});
    expect(counts.PublicTest.sad).toBe(1);
    expect(counts.PrivateTest.neutral).toBe(1);
  });
});

describe("meanFaces", () => {
  const dataset = datasetOf([
    [flat(10), "angry", "Training"],
    [flat(21), "angry", "Training"],
    [(k) => (k < 1152 ? 0 : 255), "fear", "PublicTest"]
  ]);
  const {size, faces} = meanFaces(dataset);

  it("meanFaces(dataset) gives one 48x48 face per split and class, in canonical order", () => {
    expect(size).toBe(48);
    expect(faces.map((f) => `${f.split}/${f.emotion}`)).toEqual(SPLITS.flatMap((s) => EMOTIONS.map((e) => `${s}/${e}`)));
    for (const face of faces) expect(base64ToBytes(face.pixels).length).toBe(IMAGE_PIXELS);
  });

  it("meanFaces(dataset) averages pixel by pixel and rounds to grey levels", () => {
    const angry = faces.find((f) => f.split === "Training" && f.emotion === "angry")!;
    expect(angry.count).toBe(2);
    expect(new Set(base64ToBytes(angry.pixels))).toEqual(new Set([16])); // (10 + 21) / 2 = 15.5 -> 16
    const fear = base64ToBytes(faces.find((f) => f.split === "PublicTest" && f.emotion === "fear")!.pixels);
    expect([fear[0], fear[1151], fear[1152], fear[2303]]).toEqual([0, 0, 255, 255]);
  });

  it("meanFaces(dataset) leaves a class with no faces black, with count 0", () => {
    const empty = faces.find((f) => f.split === "PrivateTest" && f.emotion === "surprise")!;
    expect(empty.count).toBe(0);
    expect(base64ToBytes(empty.pixels).every((v) => v === 0)).toBe(true);
  });
});

describe("intensityHistograms", () => {
  const dataset = datasetOf([[stripes, "happy", "Training"], [flat(255), "happy", "Training"], [flat(0), "sad", "PrivateTest"]]);

  it("intensityHistograms(dataset, {bins}) counts every pixel of a class in its grey-level bin", () => {
    const {bins, binWidth, histograms} = intensityHistograms(dataset, {bins: 4});
    expect([bins, binWidth]).toEqual([4, 64]);
    const happy = histograms.find((h) => h.split === "Training" && h.emotion === "happy")!;
    // 40 -> bin 0, 200 and 255 -> bin 3: half of the striped face in each, all of the white face in bin 3
    expect(happy.counts).toEqual([1152, 0, 0, 1152 + IMAGE_PIXELS]);
    expect(happy.pixels).toBe(2 * IMAGE_PIXELS);
    expect(histograms.find((h) => h.split === "PrivateTest" && h.emotion === "sad")!.counts).toEqual([IMAGE_PIXELS, 0, 0, 0]);
  });

  it("intensityHistograms(dataset) defaults to 64 bins of 4 grey levels for all 21 split-class pairs", () => {
    const {bins, binWidth, histograms} = intensityHistograms(dataset);
    expect([bins, binWidth, histograms.length]).toEqual([64, 4, 21]);
    expect(histograms.every((h) => h.counts.length === 64)).toBe(true);
  });

  it("intensityHistograms(dataset, {bins: 3}) rejects a bin count that does not divide 256", () => {
    expect(() => intensityHistograms(dataset, {bins: 3})).toThrow("invalid bins: 3; expected a divisor of 256");
  });
});

describe("dataQuality", () => {
  it("dataQuality(dataset, findings) counts near-blank faces per split and class and passes the duplicate summary through", () => {
    const dataset = datasetOf([
      [flat(128), "angry", "Training"], [flat(128), "happy", "PublicTest"], [stripes, "sad", "Training"]
    ]);
    const duplicates = findDuplicates(dataset);
    const quality = dataQuality(dataset, {duplicates, nearBlank: [0, 1], minStd: 6});
    expect(quality.duplicates).toEqual(duplicates.summary);
    expect(quality.nearBlank.total).toBe(2);
    expect(quality.nearBlank.minStd).toBe(6);
    expect(quality.nearBlank.counts.Training.angry).toBe(1);
    expect(quality.nearBlank.counts.PublicTest.happy).toBe(1);
    expect(quality.nearBlank.counts.Training.sad).toBe(0);
  });
});

describe("sampleFaces", () => {
  const many = datasetOf(Array.from({length: 60}, (_, i) => [flat(i), i % 3 === 0 ? "fear" : "happy", i < 50 ? "Training" : "PublicTest"] as [(k: number) => number, Emotion, Split]));

  it("sampleFaces(dataset, {perGroup}) takes at most perGroup faces of each split and class, from that group, in dataset order", () => {
    const groups = sampleFaces(many, {perGroup: 5});
    expect(groups).toHaveLength(21);
    for (const {split, emotion, indices} of groups) {
      expect(indices.length).toBeLessThanOrEqual(5);
      expect([...indices].sort((a, b) => a - b)).toEqual(indices);
      for (const i of indices) expect([SPLITS[many.splits[i]], EMOTIONS[many.labels[i]]]).toEqual([split, emotion]);
    }
    const publicFear = groups.find((g) => g.split === "PublicTest" && g.emotion === "fear")!;
    expect(publicFear.indices).toEqual([51, 54, 57]); // fewer than perGroup: all of them
  });

  it("sampleFaces(dataset, {seed}) is reproducible for a seed and varies with it", () => {
    const pick = (seed: number) => sampleFaces(many, {perGroup: 5, seed}).find((g) => g.split === "Training" && g.emotion === "happy")!.indices;
    expect(pick(1)).toEqual(pick(1));
    expect(pick(1)).not.toEqual(pick(2));
  });
});

describe("pickDuplicateGroups and planFaceSprite", () => {
  const group = (indices: number[], splits: Split[], conflicting: boolean): DuplicateGroup =>
    ({indices, splits, labels: conflicting ? ["angry", "sad"] : ["angry"], conflicting});

  it("pickDuplicateGroups(groups, {limit}) puts cross-split conflicting groups first, then cross-split, then conflicting", () => {
    const groups = [
      group([0, 1], ["Training"], false),
      group([2, 3], ["Training"], true),
      group([4, 5], ["Training", "PublicTest"], false),
      group([6, 7], ["Training", "PrivateTest"], true)
    ];
    expect(pickDuplicateGroups(groups, {limit: 3}).map((g) => g.indices[0])).toEqual([6, 4, 2]);
  });

  it("planFaceSprite(dataset, findings) lists samples, then one face per duplicate group with its members, then near-blank faces", () => {
    const dataset = datasetOf([
      [flat(7), "angry", "Training"], [flat(7), "sad", "PublicTest"], [stripes, "happy", "Training"], [flat(0), "neutral", "PrivateTest"]
    ]);
    const entries = planFaceSprite(dataset, {duplicates: findDuplicates(dataset), nearBlank: [3], perGroup: 2});
    expect(entries.map((e) => e.section)).toEqual(["sample", "sample", "sample", "sample", "duplicate", "near-blank"]);
    const duplicate = entries.find((e) => e.section === "duplicate")!;
    expect(duplicate.members).toEqual([
      {split: "Training", emotion: "angry", id: "face-0.png"},
      {split: "PublicTest", emotion: "sad", id: "face-1.png"}
    ]);
    expect(entries.at(-1)).toMatchObject({section: "near-blank", index: 3, split: "PrivateTest", emotion: "neutral"});
  });
});

describe("packSprite", () => {
  const dataset = datasetOf([[flat(1), "angry", "Training"], [(k) => k % 256, "fear", "Training"], [flat(3), "sad", "Training"]]);

  it("packSprite(dataset, indices, {columns}) lays faces out row by row at 48 px and copies their pixels", () => {
    const sprite = packSprite(dataset, [1, 0, 2], {columns: 2});
    expect([sprite.width, sprite.height, sprite.tileSize]).toEqual([96, 96, 48]);
    expect(sprite.tiles).toEqual([{x: 0, y: 0}, {x: 48, y: 0}, {x: 0, y: 48}]);
    const at = (x: number, y: number) => sprite.pixels[y * sprite.width + x];
    expect(at(5, 0)).toBe(5); // face 1, pixel 5 of row 0
    expect(at(5, 2)).toBe((2 * 48 + 5) % 256); // face 1, row 2
    expect(at(48 + 10, 10)).toBe(1); // face 0
    expect(at(20, 48 + 20)).toBe(3); // face 2
    expect(at(48 + 20, 48 + 20)).toBe(0); // the empty tile
  });

  it("packSprite(dataset, indices) rejects an index outside the dataset", () => {
    expect(() => packSprite(dataset, [0, 3])).toThrow("invalid face index: 3; expected 0..2");
  });
});

describe("base64", () => {
  it("base64ToBytes(bytesToBase64(bytes)) gives back every byte value, also past one 32 KiB chunk", () => {
    const bytes = Uint8Array.from({length: 70_000}, (_, i) => (i * 31) % 256);
    expect(base64ToBytes(bytesToBase64(bytes))).toEqual(bytes);
    expect(bytesToBase64(Uint8Array.from([0, 255, 128]))).toBe("AP+A");
  });
});
