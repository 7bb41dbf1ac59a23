import {describe, expect, it} from "vitest";
import {
  SIZE_BUCKETS, TILT_BUCKETS, assign, bucketName, bucketOf, faceBox, makeScene, matches, pasteFace, permutation, sceneSet, subSeed,
  type FacePool, type SceneFace
} from "../../tools/scenes.js";

/** Eight flat faces of different grey levels, labels 0..6 then 0. */
const POOL: FacePool = {
  pixels: Uint8Array.from({length: 8 * 2304}, (_, p) => 40 + 20 * Math.floor(p / 2304)),
  labels: Uint8Array.from({length: 8}, (_, k) => k % 7),
  indices: Int32Array.from({length: 8}, (_, k) => k)
};

const face = (cx: number, cy: number, size: number, angle = 0): SceneFace => ({index: 0, label: 0, cx, cy, size, angle});
const box = (x: number, y: number, width: number, height = width) => ({x, y, width, height});

describe("scenes", () => {
  it("makeScene(seed, i, ...) gives the same bytes and faces for the same seed, and others for another seed", () => {
    const perm = permutation(8, 3);
    const a = makeScene(3, 1, POOL, perm), b = makeScene(3, 1, POOL, perm), c = makeScene(4, 1, POOL, perm);
    expect(b.faces).toEqual(a.faces);
    expect(Buffer.from(b.image.data).equals(Buffer.from(a.image.data))).toBe(true);
    expect(Buffer.from(c.image.data).equals(Buffer.from(a.image.data))).toBe(false);
    expect(a.image).toMatchObject({width: 640, height: 480});
    expect(a.image.data.length).toBe(640 * 480 * 4);
  });

  it("makeScene puts 1 to 4 faces inside the frame, apart (circumscribed circles disjoint), with tilt and size in range", () => {
    const perm = permutation(8, 5);
    const sizes: number[] = [], tilts: number[] = [];
    for (let i = 0; i < 40; i++) {
      const {faces} = makeScene(5, i, POOL, perm);
      expect(faces.length).toBeGreaterThanOrEqual(1);
      expect(faces.length).toBeLessThanOrEqual(4);
      for (const f of faces) {
        sizes.push(f.size);
        tilts.push(f.angle);
        // The whole face's inscribed circle lies inside the frame (and its square too unless it is too large to fit turned).
        expect(f.cx - f.size / 2).toBeGreaterThanOrEqual(-1e-9);
        expect(f.cx + f.size / 2).toBeLessThanOrEqual(640 + 1e-9);
        expect(f.cy - f.size / 2).toBeGreaterThanOrEqual(-1e-9);
        expect(f.cy + f.size / 2).toBeLessThanOrEqual(480 + 1e-9);
        expect(f.label).toBe(POOL.labels[f.index]);
      }
      for (const f of faces) for (const g of faces) if (f !== g) expect(Math.hypot(f.cx - g.cx, f.cy - g.cy)).toBeGreaterThanOrEqual((f.size + g.size) / Math.SQRT2 - 1e-9);
    }
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(40);
    expect(Math.max(...sizes)).toBeLessThan(456);
    expect(Math.max(...tilts.map(Math.abs))).toBeLessThanOrEqual(30);
    // Both ways, and spread over the range.
    expect(Math.min(...tilts)).toBeLessThan(-15);
    expect(Math.max(...tilts)).toBeGreaterThan(15);
  });

  it("makeScene honours faces, maxTilt and sizeBuckets options", () => {
    const perm = permutation(8, 1);
    for (let i = 0; i < 10; i++) {
      const {faces} = makeScene(1, i, POOL, perm, {faces: [2, 2], maxTilt: 5, sizeBuckets: [[100, 120]]});
      expect(faces).toHaveLength(2);
      for (const f of faces) {
        expect(Math.abs(f.angle)).toBeLessThanOrEqual(5);
        expect(f.size).toBeGreaterThanOrEqual(100);
        expect(f.size).toBeLessThan(120);
      }
    }
  });

  it("sceneSet({seed, faceScenes, emptyScenes, pool}) yields the face scenes, then face-free ones", () => {
    const scenes = [...sceneSet({seed: 2, faceScenes: 3, emptyScenes: 2, pool: POOL})];
    expect(scenes.map((s) => s.faces.length > 0)).toEqual([true, true, true, false, false]);
    expect(new Set(scenes.map((s) => s.seed)).size).toBe(5);
    expect(scenes[0].seed).toBe(subSeed(2, 0));
  });

  it("permutation(n, seed) is a seeded permutation of 0..n-1", () => {
    const p = permutation(100, 7);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({length: 100}, (_, k) => k));
    expect([...permutation(100, 7)]).toEqual([...p]);
    expect([...permutation(100, 8)]).not.toEqual([...p]);
  });

  it("pasteFace(image, face, square) draws the face's grey levels inside its (turned) square only", () => {
    const image = {data: new Uint8ClampedArray(200 * 200 * 4).fill(255), width: 200, height: 200};
    pasteFace(image, new Uint8Array(2304).fill(60), {cx: 100, cy: 100, size: 80, angle: 45});
    const at = (x: number, y: number) => image.data[(y * 200 + x) * 4];
    expect(at(100, 100)).toBe(60);
    // A 45-degree turn: the square's corners point up, down, left and right (reach 80/√2 ≈ 56.6 px).
    expect(at(100, 100 - 50)).toBe(60);
    expect(at(100 - 36, 100 - 36)).toBe(255);
    expect(at(100, 100 - 60)).toBe(255);
    expect(() => pasteFace(image, new Uint8Array(100 * 3), {cx: 0, cy: 0, size: 10, angle: 0})).toThrow(/invalid face: 300 grey levels/);
  });

  it("bucketOf(value, buckets) finds the bucket [lo, hi), the last tilt bucket includes 30 degrees", () => {
    expect(bucketOf(40, SIZE_BUCKETS)).toBe(0);
    expect(bucketOf(59.9, SIZE_BUCKETS)).toBe(0);
    expect(bucketOf(60, SIZE_BUCKETS)).toBe(1);
    expect(bucketOf(455, SIZE_BUCKETS)).toBe(5);
    expect(bucketOf(456, SIZE_BUCKETS)).toBe(-1);
    expect(bucketOf(39, SIZE_BUCKETS)).toBe(-1);
    expect(bucketOf(30, TILT_BUCKETS)).toBe(2);
    expect(SIZE_BUCKETS.map(bucketName)).toEqual(["40-60", "60-100", "100-160", "160-250", "250-340", "340-456"]);
    expect(TILT_BUCKETS.map(bucketName)).toEqual(["0-10", "10-20", "20-30"]);
  });
});

describe("matching rule", () => {
  const f = face(200, 200, 100); // square 150..250

  it("matches(box, face) needs the box's centre inside the face's square", () => {
    expect(matches(box(160, 160, 80), f)).toBe(true); // centre (200, 200)
    expect(matches(box(210, 210, 80), f)).toBe(true); // centre (250, 250): on the edge
    expect(matches(box(212, 160, 80), f)).toBe(false); // centre x 252
  });

  it("matches(box, face) needs the box's size (√area) within 0.5x to 2x the square's side", () => {
    expect(matches(box(175, 175, 50), f)).toBe(true); // 0.5x
    expect(matches(box(176, 176, 48), f)).toBe(false);
    expect(matches(box(100, 100, 200), f)).toBe(true); // 2x
    expect(matches(box(99, 99, 202), f)).toBe(false);
    expect(matches(box(150, 125, 100, 150), f)).toBe(true); // √(100·150) ≈ 122
  });

  it("faceBox(face) is the upright square of the face, whatever its tilt", () => {
    expect(faceBox(face(100, 80, 40, 25))).toEqual({x: 80, y: 60, width: 40, height: 40});
  });

  it("assign(detections, faces) matches one to one, best score first: a second box on a face is a false detection", () => {
    const faces = [face(200, 200, 100), face(400, 200, 100)];
    const detections = [
      {box: box(160, 160, 80), score: 0.7},
      {box: box(165, 165, 80), score: 0.9}, // the better box on face 0
      {box: box(360, 160, 80), score: 0.8},
      {box: box(10, 10, 50), score: 0.95} // background
    ];
    expect(assign(detections, faces)).toEqual({faceToDetection: [1, 2], falses: 2});
  });

  it("assign gives a box that matches two faces to the one it overlaps most", () => {
    // Two close faces (squares 100..200 and 190..290 along x): the box's centre lies in both.
    const faces = [face(150, 150, 100), face(240, 150, 100)];
    expect(assign([{box: box(150, 100, 100), score: 0.9}], faces).faceToDetection).toEqual([-1, 0]);
    expect(assign([], faces)).toEqual({faceToDetection: [-1, -1], falses: 0});
  });
});
