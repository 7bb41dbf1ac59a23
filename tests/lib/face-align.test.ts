import {describe, expect, it} from "vitest";
import {DEFAULT_CALIBRATION, alignedGreyCrop, alignedRgb, corners, eyes, faceSquare, squareIou, type Keypointed} from "../../src/lib/face-align.js";
import {pasteFace} from "../../tools/scenes.js";

/** A detection whose eyes are `distance` apart at `degrees` (clockwise on screen) about (ex, ey), with a square box. */
function detection(ex: number, ey: number, distance: number, degrees: number, box = {x: ex - 30, y: ey - 20, width: 60, height: 60}): Keypointed {
  const a = (degrees * Math.PI) / 180, dx = (Math.cos(a) * distance) / 2, dy = (Math.sin(a) * distance) / 2;
  return {box, keypoints: [[ex - dx, ey - dy], [ex + dx, ey + dy]]};
}

describe("squareIou", () => {
  const s = {cx: 50, cy: 50, side: 20, angle: 0};

  it("squareIou(a, b) is 1 for the same square, 0 for squares apart, 1/3 for a half-side shift", () => {
    expect(squareIou(s, s)).toBeCloseTo(1, 9);
    expect(squareIou(s, {...s, cx: 200})).toBe(0);
    expect(squareIou(s, {...s, cx: 60})).toBeCloseTo(1 / 3, 9);
  });

  it("squareIou of a square and itself turned by 45 degrees is the regular octagon's share", () => {
    // The overlap is a regular octagon of area 8 (√2 - 1) h², h = 10.
    const octagon = 8 * (Math.SQRT2 - 1) * 100;
    expect(squareIou(s, {...s, angle: Math.PI / 4})).toBeCloseTo(octagon / (800 - octagon), 9);
    expect(squareIou({...s, angle: 0.3}, {...s, angle: 0.3})).toBeCloseTo(1, 9);
  });

  it("squareIou of a square inside another is the ratio of their areas", () => {
    expect(squareIou({cx: 50, cy: 50, side: 40, angle: 0.2}, {cx: 50, cy: 50, side: 20, angle: 0.2})).toBeCloseTo(0.25, 9);
  });
});

describe("faceSquare", () => {
  it("faceSquare(detection) by default takes its side from the box (1.19 x √area) and its centre 0.1 side below the eyes", () => {
    expect(DEFAULT_CALIBRATION).toMatchObject({mode: "mixed", c: 1.19, a: 0.1});
    const sq = faceSquare(detection(120, 100, 40, 0));
    expect(sq.side).toBeCloseTo(1.19 * 60, 9);
    expect(sq.cx).toBeCloseTo(120, 9);
    expect(sq.cy).toBeCloseTo(100 + 0.1 * 1.19 * 60, 9);
    expect(sq.angle).toBe(0);
  });

  it("faceSquare turns with the eye line: 'down' is perpendicular to it, towards the mouth", () => {
    const sq = faceSquare(detection(120, 100, 40, 30));
    const down = 0.1 * sq.side;
    expect(sq.angle).toBeCloseTo(Math.PI / 6, 9);
    expect(sq.cx).toBeCloseTo(120 - Math.sin(Math.PI / 6) * down, 9);
    expect(sq.cy).toBeCloseTo(100 + Math.cos(Math.PI / 6) * down, 9);
    expect(eyes(detection(120, 100, 40, 30))).toMatchObject({ex: expect.closeTo(120, 9), ey: expect.closeTo(100, 9), d: expect.closeTo(40, 9)});
  });

  it("faceSquare(detection, calibration, {align: false}) stays upright but is placed by the tilted eyes", () => {
    const turned = faceSquare(detection(120, 100, 40, 30)), upright = faceSquare(detection(120, 100, 40, 30), undefined, {align: false});
    expect(upright.angle).toBe(0);
    expect([upright.cx, upright.cy, upright.side]).toEqual([turned.cx, turned.cy, turned.side]);
  });

  it("faceSquare with minAngle keeps faces tilted less than it upright", () => {
    const minAngle = (10 * Math.PI) / 180;
    expect(faceSquare(detection(120, 100, 40, 5), undefined, {minAngle}).angle).toBe(0);
    expect(faceSquare(detection(120, 100, 40, 15), undefined, {minAngle}).angle).toBeCloseTo((15 * Math.PI) / 180, 9);
  });

  it("faceSquare's 'eyes' and 'box' calibrations size the square by the eye distance or the box", () => {
    const det = detection(120, 100, 40, 0, {x: 90, y: 80, width: 60, height: 60});
    const eyesMode = faceSquare(det, {...DEFAULT_CALIBRATION, mode: "eyes", a: 0.285, a2: 0, b: 2.77});
    expect(eyesMode.side).toBeCloseTo(2.77 * 40, 9);
    expect(eyesMode.cy).toBeCloseTo(100 + 0.285 * 40, 9);
    const boxMode = faceSquare(det, {...DEFAULT_CALIBRATION, mode: "box", c: 1.19, shift: -0.07});
    expect(boxMode.side).toBeCloseTo(1.19 * 60, 9);
    expect([boxMode.cx, boxMode.cy]).toEqual([expect.closeTo(120, 9), expect.closeTo(110 - 0.07 * 1.19 * 60, 9)]);
  });

  it("corners(square) are clockwise on screen from the top left of the turned square", () => {
    const [tl, tr, br, bl] = corners({cx: 0, cy: 0, side: 2, angle: Math.PI / 2});
    expect(tl.map((v) => Math.round(v * 1e9) / 1e9)).toEqual([1, -1]);
    expect(tr.map((v) => Math.round(v * 1e9) / 1e9)).toEqual([1, 1]);
    expect(br.map((v) => Math.round(v * 1e9) / 1e9)).toEqual([-1, 1]);
    expect(bl.map((v) => Math.round(v * 1e9) / 1e9)).toEqual([-1, -1]);
  });
});

describe("alignedGreyCrop", () => {
  // A smooth pattern with no symmetry, so that a turn or a flip would show.
  const face = Uint8Array.from({length: 2304}, (_, p) => Math.round(128 + 90 * Math.sin((p % 48) / 6 + 0.3) * Math.cos(Math.floor(p / 48) / 7) + (p % 48) * 0.4));

  it("alignedGreyCrop(image, square) undoes a face pasted large and tilted: back within a few grey levels", () => {
    const image = {data: new Uint8ClampedArray(640 * 480 * 4).fill(255), width: 640, height: 480};
    for (const [size, angle] of [[48, 0], [200, 25], [400, -15], [150, 30]]) {
      image.data.fill(255);
      pasteFace(image, face, {cx: 320, cy: 240, size, angle});
      const back = alignedGreyCrop(image, {cx: 320, cy: 240, side: size, angle: (angle * Math.PI) / 180});
      expect(back).toHaveLength(2304);
      let diff = 0;
      for (let y = 4; y < 44; y++) for (let x = 4; x < 44; x++) diff += Math.abs(back[y * 48 + x] - face[y * 48 + x]);
      expect(diff / 1600, `size ${size} angle ${angle}`).toBeLessThan(size === 48 ? 0.6 : 3);
    }
  });

  it("alignedGreyCrop without the turn does not undo a tilted face", () => {
    const image = {data: new Uint8ClampedArray(640 * 480 * 4).fill(255), width: 640, height: 480};
    pasteFace(image, face, {cx: 320, cy: 240, size: 200, angle: 25});
    const upright = alignedGreyCrop(image, {cx: 320, cy: 240, side: 200, angle: 0});
    let diff = 0;
    for (let y = 4; y < 44; y++) for (let x = 4; x < 44; x++) diff += Math.abs(upright[y * 48 + x] - face[y * 48 + x]);
    expect(diff / 1600).toBeGreaterThan(10);
  });

  it("alignedGreyCrop repeats the nearest edge pixel outside the picture, and gives any output size", () => {
    const data = new Uint8ClampedArray(10 * 10 * 4).fill(0);
    for (let i = 0; i < 100; i++) data.set([200, 200, 200, 255], i * 4);
    const crop = alignedGreyCrop({data, width: 10, height: 10}, {cx: 0, cy: 0, side: 20, angle: 0.4}, 16);
    expect(crop).toHaveLength(256);
    expect(new Set(crop)).toEqual(new Set([200]));
  });
});

describe("alignedRgb", () => {
  /** A 40 x 30 picture whose red is x, green y, blue 100. */
  const picture = () => {
    const data = new Uint8ClampedArray(40 * 30 * 4);
    for (let y = 0; y < 30; y++) for (let x = 0; x < 40; x++) data.set([x, y, 100, 255], (y * 40 + x) * 4);
    return {data, width: 40, height: 30};
  };

  it("alignedRgb(image, upright square, its own side) copies the pixels, RGB interleaved", () => {
    const crop = alignedRgb(picture(), {cx: 15, cy: 12, side: 8, angle: 0}, 8);
    expect(crop).toHaveLength(8 * 8 * 3);
    // Output (0, 0) is picture pixel (11, 8); (7, 5) is (18, 13).
    expect(Array.from(crop.subarray(0, 3))).toEqual([11, 8, 100]);
    const at = (5 * 8 + 7) * 3;
    expect(Array.from(crop.subarray(at, at + 3)).map((v) => Math.round(v * 1000) / 1000)).toEqual([18, 13, 100]);
  });

  it("alignedRgb turns the square upright: at 90 degrees the output's x runs down the picture", () => {
    const crop = alignedRgb(picture(), {cx: 20, cy: 15, side: 10, angle: Math.PI / 2}, 10);
    // Along an output row the picture's y grows (red constant), down a column its x falls.
    const red = (x: number, y: number) => crop[(y * 10 + x) * 3], green = (x: number, y: number) => crop[(y * 10 + x) * 3 + 1];
    expect(red(0, 2)).toBeCloseTo(red(9, 2), 6);
    expect(green(9, 2) - green(0, 2)).toBeCloseTo(9, 6);
    expect(red(4, 0) - red(4, 9)).toBeCloseTo(9, 6);
  });

  it("alignedRgb reads 0 outside the picture", () => {
    const crop = alignedRgb(picture(), {cx: -50, cy: -50, side: 20, angle: 0.3}, 4);
    expect(new Set(crop)).toEqual(new Set([0]));
  });
});
