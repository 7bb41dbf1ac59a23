import {describe, expect, it} from "vitest";
import {KEYPOINTS, anchorCentres, decodeRows, keepInPass, letterbox, passInput, suppress, tiles, type FaceDetection} from "../../src/lib/blazeface.js";

const detection = (x: number, y: number, side: number, score: number): FaceDetection => ({
  box: {x, y, width: side, height: side},
  score,
  keypoints: KEYPOINTS.map((_, k) => [x + k, y + k] as [number, number])
});

describe("anchorCentres", () => {
  it("anchorCentres(size) gives 896 anchors for the 128 and 256 inputs and 2304 for the 192 full-range one", () => {
    expect(anchorCentres(128).length / 2).toBe(896);
    expect(anchorCentres(256).length / 2).toBe(896);
    expect(anchorCentres(192).length / 2).toBe(2304);
  });

  it("anchorCentres(128) centres anchors in their cells: 2 per 8-pixel cell, then 6 per 16-pixel cell", () => {
    const anchors = anchorCentres(128);
    expect(Array.from(anchors.slice(0, 6))).toEqual([4, 4, 4, 4, 12, 4]);
    // 16 x 16 cells x 2 anchors = 512 before the first stride-16 anchor.
    expect(Array.from(anchors.slice(1024, 1026))).toEqual([8, 8]);
    expect(Array.from(anchors.slice(-2))).toEqual([120, 120]);
    expect(Array.from(anchorCentres(256).slice(0, 2))).toEqual([8, 8]);
  });
});

describe("decodeRows", () => {
  const anchors = anchorCentres(128);
  const a = 100;
  const rows = new Float32Array(896 * 17);
  rows[a * 17] = 5; // score logit: 0.993
  rows.set([2, -2, 32, 32, -8, -6, 8, -6, 0, 4, 0, 12, -14, -4, 14, -4], a * 17 + 1);
  const [ax, ay] = [anchors[2 * a], anchors[2 * a + 1]];

  it("decodeRows(rows, ...) maps boxes and keypoints from input pixels to the pass's region of the picture", () => {
    const region = {x: 10, y: 20, width: 256, height: 256}; // the 128-pixel input shows 256 picture pixels
    const found = decodeRows(rows, 0, anchors, 128, region, 0.5);
    expect(found).toHaveLength(1);
    const [d] = found;
    expect(d.score).toBeCloseTo(1 / (1 + Math.exp(-5)), 6);
    expect(d.box.width).toBeCloseTo(64, 9);
    expect(d.box.height).toBeCloseTo(64, 9);
    expect(d.box.x).toBeCloseTo(10 + (ax + 2 - 16) * 2, 9);
    expect(d.box.y).toBeCloseTo(20 + (ay - 2 - 16) * 2, 9);
    expect(d.keypoints).toHaveLength(6);
    expect(d.keypoints[0]).toEqual([10 + (ax - 8) * 2, 20 + (ay - 6) * 2]);
    expect(d.keypoints[5]).toEqual([10 + (ax + 14) * 2, 20 + (ay - 4) * 2]);
  });

  it("decodeRows drops candidates under the score threshold, and small ones with minRelativeSize", () => {
    expect(decodeRows(rows, 0, anchors, 128, {x: 0, y: 0, width: 128, height: 128}, 0.999)).toHaveLength(0);
    // 32 of 128 input pixels is a quarter of the pass.
    expect(decodeRows(rows, 0, anchors, 128, {x: 0, y: 0, width: 128, height: 128}, 0.5, 0.25)).toHaveLength(1);
    expect(decodeRows(rows, 0, anchors, 128, {x: 0, y: 0, width: 128, height: 128}, 0.5, 0.3)).toHaveLength(0);
  });

  it("decodeRows reads a batch's second input from its offset", () => {
    const batch = new Float32Array(2 * 896 * 17);
    batch.set(rows, 896 * 17);
    expect(decodeRows(batch, 0, anchors, 128, {x: 0, y: 0, width: 128, height: 128}, 0.5)).toHaveLength(0);
    expect(decodeRows(batch, 896 * 17, anchors, 128, {x: 0, y: 0, width: 128, height: 128}, 0.5)).toHaveLength(1);
  });
});

describe("suppress", () => {
  it("suppress(candidates) merges overlapping boxes by score (weighted), drops a box inside a better one, keeps far ones", () => {
    const out = suppress([detection(0, 0, 100, 0.9), detection(4, 0, 100, 0.8), detection(30, 30, 30, 0.7), detection(300, 300, 50, 0.6)]);
    expect(out).toHaveLength(2);
    expect(out[0].box.x).toBeCloseTo((0 * 0.9 + 4 * 0.8) / 1.7, 9);
    expect(out[0].score).toBe(0.9);
    expect(out[0].keypoints[1][0]).toBeCloseTo((1 * 0.9 + 5 * 0.8) / 1.7, 9);
    expect(out[1].box.x).toBe(300);
  });

  it("suppress(candidates, {nms: 'hard'}) keeps the best box as it is; maxFaces caps the count, best first", () => {
    expect(suppress([detection(4, 0, 100, 0.8), detection(0, 0, 100, 0.9)], {nms: "hard"})).toEqual([detection(0, 0, 100, 0.9)]);
    const many = [detection(0, 0, 50, 0.6), detection(100, 0, 50, 0.9), detection(200, 0, 50, 0.7)];
    expect(suppress(many, {maxFaces: 2}).map((d) => d.score)).toEqual([0.9, 0.7]);
  });

  it("suppress(candidates, {nestedBothWays}) also drops a box that holds a better one inside it; by default that box stays", () => {
    // A face box (score 0.9) inside a head-and-hair box (0.7): IoU 0.25, under the 0.3 threshold.
    const face = detection(50, 50, 50, 0.9), head = detection(25, 25, 100, 0.7);
    expect(suppress([head, face], {nms: "hard"})).toEqual([face, head]);
    expect(suppress([head, face], {nms: "hard", nestedBothWays: true})).toEqual([face]);
  });

  it("suppress(candidates, {sameCentre}) drops a box shifted onto part of a better one's face, not a neighbour or a much smaller face", () => {
    // The camera's case: a 67 px face box (0.84) and a 39 px box on its upper left (0.35), IoU 0.04.
    const face = detection(349, 212, 67, 0.84), part = detection(320, 197, 39, 0.35);
    expect(suppress([face, part], {nms: "hard"})).toEqual([face, part]);
    expect(suppress([face, part], {nms: "hard", sameCentre: 0.75})).toEqual([face]);
    // A neighbour of the same size a side away, and a small face beside a large box (within 0.75 of its side), both stay.
    const neighbour = detection(349 + 67, 212, 67, 0.5), small = detection(510, 300, 20, 0.5), large = detection(200, 100, 300, 0.9);
    expect(suppress([face, neighbour], {nms: "hard", sameCentre: 0.75})).toEqual([face, neighbour]);
    expect(suppress([large, small], {nms: "hard", sameCentre: 0.75})).toEqual([large, small]);
  });

  it("suppress keeps boxes that overlap less than iouThreshold", () => {
    // IoU of two 100-pixel squares 60 apart: 40 / 160 = 0.25.
    expect(suppress([detection(0, 0, 100, 0.9), detection(60, 0, 100, 0.8)], {iouThreshold: 0.3})).toHaveLength(2);
    expect(suppress([detection(0, 0, 100, 0.9), detection(60, 0, 100, 0.8)], {iouThreshold: 0.2})).toHaveLength(1);
  });
});

describe("passes", () => {
  const image = {width: 640, height: 480};

  it("letterbox(image) is the centred square of the longer side, reaching outside the picture", () => {
    expect(letterbox(image)).toEqual({x: 0, y: -80, width: 640, height: 640});
    expect(letterbox({width: 300, height: 500})).toEqual({x: -100, y: 0, width: 500, height: 500});
  });

  it("tiles(image, 240, 120) covers a 640x480 picture with 5 x 3 windows sharing at least 120 pixels", () => {
    const passes = tiles(image, 240, 120);
    expect(passes).toHaveLength(15);
    for (let x = 0; x < 640; x += 7) for (let y = 0; y < 480; y += 7) expect(passes.some((p) => x >= p.x && x < p.x + p.width && y >= p.y && y < p.y + p.height)).toBe(true);
    const xs = [...new Set(passes.map((p) => p.x))].sort((a, b) => a - b);
    expect(xs[0]).toBe(0);
    expect(xs[xs.length - 1] + 240).toBeCloseTo(640, 9);
    for (let k = 1; k < xs.length; k++) expect(240 - (xs[k] - xs[k - 1])).toBeGreaterThanOrEqual(120 - 1e-9);
    expect(passes[0].maxFace).toBeCloseTo(120 / 1.2, 9);
  });

  it("tiles centres one window on an axis shorter than the window", () => {
    expect(tiles({width: 200, height: 100}, 240, 120).map((p) => [p.x, p.y])).toEqual([[-20, -70]]);
  });

  it("keepInPass(detection, tile, image) drops faces too large for a zoomed tile or cut by its inner borders", () => {
    const [first] = tiles(image, 240, 120); // top-left: its left and top borders are the picture's
    expect(keepInPass(detection(0, 0, 40, 1), first, image)).toBe(true);
    expect(keepInPass(detection(220, 50, 40, 1), first, image)).toBe(false); // crosses the right border
    expect(keepInPass(detection(198, 50, 40, 1), first, image)).toBe(false); // its 10% margin (4 px) crosses it
    expect(keepInPass(detection(195, 50, 40, 1), first, image)).toBe(true);
    expect(keepInPass(detection(150, 50, 40, 1), first, image)).toBe(true);
    expect(keepInPass(detection(50, 50, 120, 1), first, image)).toBe(false); // too large for the tile
    expect(keepInPass(detection(50, 50, 400, 1), letterbox(image), image)).toBe(true); // the letterbox keeps all
  });

  it("passInput(image, region, size) scales RGB to [-1, 1] and pads outside the picture with -1", () => {
    const data = new Uint8ClampedArray(64 * 48 * 4);
    for (let i = 0; i < data.length; i += 4) data.set([255, 0, 255, 255], i);
    const input = passInput({data, width: 64, height: 48}, letterbox({width: 64, height: 48}), 16);
    expect(input).toHaveLength(16 * 16 * 3);
    expect(Array.from(input.slice(0, 3))).toEqual([-1, -1, -1]); // top rows: letterbox padding
    const middle = (8 * 16 + 8) * 3;
    expect(Array.from(input.slice(middle, middle + 3))).toEqual([1, -1, 1]);
  });
});
