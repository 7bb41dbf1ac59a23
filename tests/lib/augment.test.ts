import {describe, expect, it} from "vitest";
import {augmentBatch, cutmixBatch, drawWarp, eraseRandomRectangle, flipBatch, mixupBatch, warpFace} from "../../src/lib/augment.js";
import {Random} from "../../src/lib/random.js";
import {facesToInput, MODEL_INPUT} from "../../src/lib/preprocess.js";

const N = 48;
/** A face whose value encodes its position: (y * 48 + x) / 2304. */
function ramp(): Float32Array {
  return Float32Array.from({length: N * N}, (_, i) => i / (N * N));
}
const at = (face: Float32Array, x: number, y: number) => face[y * N + x];
const still = {flip: false, dx: 0, dy: 0, angle: 0, zoom: 1};

describe("facesToInput", () => {
  it("facesToInput(pixels) scales grey levels to [0, 1] by pixel/255", () => {
    const pixels = new Uint8Array(2 * 2304);
    pixels[0] = 255;
    pixels[2304 + 1] = 51;
    const input = facesToInput(pixels);
    expect(MODEL_INPUT).toMatchObject({width: 48, height: 48, channels: 1, scale: "pixel/255"});
    expect(input).toHaveLength(2 * 2304);
    expect(input[0]).toBe(1);
    expect(input[2304 + 1]).toBeCloseTo(0.2, 7);
  });

  it("facesToInput(pixels, indices) takes the listed faces in that order", () => {
    const pixels = new Uint8Array(3 * 2304);
    pixels.fill(255, 2 * 2304);
    const input = facesToInput(pixels, [2, 0]);
    expect(input[0]).toBe(1);
    expect(input[2304]).toBe(0);
  });

  it("facesToInput rejects a face index out of range and a ragged pixel array", () => {
    expect(() => facesToInput(new Uint8Array(2304), [1])).toThrow("face 1 is out of range");
    expect(() => facesToInput(new Uint8Array(2305))).toThrow("2305 pixels is not a multiple of 2304");
  });
});

describe("warpFace", () => {
  it("warpFace with no flip, shift, rotation or zoom copies the face", () => {
    const out = new Float32Array(N * N);
    warpFace(ramp(), out, still);
    expect(out).toEqual(ramp());
  });

  it("warpFace with a flip mirrors each row", () => {
    const out = new Float32Array(N * N);
    warpFace(ramp(), out, {...still, flip: true});
    expect(at(out, 0, 5)).toBe(at(ramp(), 47, 5));
    expect(out).toEqual(flipBatch(ramp()));
  });

  it("warpFace with an integer shift moves pixels and fills the border by reflection", () => {
    const out = new Float32Array(N * N);
    warpFace(ramp(), out, {...still, dx: 3, dy: -2});
    expect(at(out, 10, 10)).toBe(at(ramp(), 7, 12));
    // Column 0 reads source column -3, reflected to 3 (numpy "reflect": the edge is not repeated).
    expect(at(out, 0, 10)).toBe(at(ramp(), 3, 12));
  });

  it("warpFace with a 90 degree rotation turns the image about its centre", () => {
    const out = new Float32Array(N * N);
    warpFace(ramp(), out, {...still, angle: Math.PI / 2});
    // The output at (x, y) samples the source at (y, 47 - x) under this inverse mapping.
    expect(at(out, 10, 20)).toBeCloseTo(at(ramp(), 20, 37), 5);
  });
});

describe("augmentBatch", () => {
  it("augmentBatch(input, random) is reproducible from the seed and keeps values in [0, 1]", () => {
    const input = new Float32Array(4 * N * N).map((_, i) => (i % 255) / 255);
    const a = augmentBatch(input, new Random(5), {flip: 0.5, shift: 4, rotation: 10, scale: 0.1, erasing: 0.5});
    const b = augmentBatch(input, new Random(5), {flip: 0.5, shift: 4, rotation: 10, scale: 0.1, erasing: 0.5});
    const c = augmentBatch(input, new Random(6), {flip: 0.5, shift: 4, rotation: 10, scale: 0.1, erasing: 0.5});
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a)).toBeLessThanOrEqual(1);
  });

  it("drawWarp(random, options) stays within the configured ranges", () => {
    const random = new Random(1);
    for (let i = 0; i < 200; i++) {
      const warp = drawWarp(random, {flip: 0.5, shift: 4, rotation: 10, scale: 0.1});
      expect(Math.abs(warp.dx)).toBeLessThanOrEqual(4);
      expect(Math.abs(warp.angle)).toBeLessThanOrEqual((10 * Math.PI) / 180);
      expect(warp.zoom).toBeGreaterThanOrEqual(0.9);
      expect(warp.zoom).toBeLessThanOrEqual(1.1);
    }
  });
});

describe("eraseRandomRectangle", () => {
  it("eraseRandomRectangle(face, random) replaces one rectangle of 2% to 25% of the face", () => {
    const face = new Float32Array(N * N).fill(2);
    eraseRandomRectangle(face, new Random(3));
    const erased = face.filter((v) => v !== 2).length;
    expect(erased).toBeGreaterThanOrEqual(0.02 * N * N * 0.8);
    expect(erased).toBeLessThanOrEqual(0.25 * N * N * 1.2);
  });
});

describe("mixupBatch", () => {
  it("mixupBatch mixes images and targets with one weight, so each target row still sums to 1", () => {
    const input = new Float32Array(2 * N * N);
    input.fill(1, N * N);
    const targets = Float32Array.from([1, 0, 0, 1]);
    const lambda = mixupBatch(input, targets, new Random(9), {alpha: 0.4, classes: 2});
    expect(lambda).toBeGreaterThan(0);
    expect(lambda).toBeLessThan(1);
    expect(targets[0] + targets[1]).toBeCloseTo(1, 6);
    // Face 0 is black with class 0, face 1 white with class 1: after mixing, every face's grey level
    // equals its target's share of class 1, whichever partner it drew.
    expect(input[0]).toBeCloseTo(targets[1], 6);
    expect(input[N * N]).toBeCloseTo(targets[3], 6);
  });
});

describe("cutmixBatch", () => {
  it("cutmixBatch(input, targets, random, {alpha}) pastes one rectangle of a partner face and mixes the targets by its area", () => {
    // Two faces: all zeros (class 0) and all ones (class 1).
    const input = new Float32Array(2 * 2304);
    input.fill(1, 2304);
    const targets = Float32Array.of(1, 0, 0, 1);
    const kept = cutmixBatch(input, targets, new Random(7), {alpha: 1, classes: 2});
    for (let i = 0; i < 2; i++) {
      const face = input.subarray(i * 2304, (i + 1) * 2304);
      const own = i === 0 ? 0 : 1;
      const share = face.filter((v) => v !== own).length / 2304;
      // Each face's target weighs its own class by the part of it left.
      expect(targets[i * 2 + own]).toBeCloseTo(1 - share, 6);
      expect(targets[i * 2] + targets[i * 2 + 1]).toBeCloseTo(1, 6);
      if (share > 0) expect(kept).toBeCloseTo(1 - share, 6);
    }
  });
});
