import {describe, expect, it} from "vitest";
import {iou, resampleRgb, type RgbaImage} from "../../src/lib/image.js";

/** A width x height RGBA picture whose pixel (x, y) has the colour pixel(x, y). */
function picture(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([...pixel(x, y), 255], (y * width + x) * 4);
  return {data, width, height};
}

describe("resampleRgb", () => {
  it("resampleRgb(image, region, w, h) keeps a constant picture constant and pads outside it", () => {
    const flat = picture(64, 48, () => [200, 100, 50]);
    const out = resampleRgb(flat, {x: 0, y: -8, width: 64, height: 64}, 16, 16, 0);
    expect(out).toHaveLength(16 * 16 * 3);
    expect(Array.from(out.slice((8 * 16 + 8) * 3, (8 * 16 + 8) * 3 + 3)).map((v) => Math.round(v * 1000) / 1000)).toEqual([200, 100, 50]);
    expect(out[0]).toBeCloseTo(0, 6); // output rows 0-1 (picture rows -8..0) are padding
    expect(out[(2 * 16 + 3) * 3]).toBeCloseTo(200, 3);
  });

  it("resampleRgb averages padding and picture where an output pixel covers both", () => {
    const flat = picture(64, 48, () => [200, 200, 200]);
    const half = resampleRgb(flat, {x: 0, y: -2, width: 64, height: 64}, 16, 16, 0);
    expect(half[3 * 3]).toBeCloseTo(100, 3); // rows -2..2: half padding, half picture
    const padded = resampleRgb(flat, {x: 0, y: -2, width: 64, height: 64}, 16, 16, 255);
    expect(padded[3 * 3]).toBeCloseTo(227.5, 3);
  });

  it("resampleRgb averages the area an output pixel covers when shrinking (no aliasing)", () => {
    const stripes = picture(8, 8, (x) => (x % 2 ? [255, 255, 255] : [0, 0, 0]));
    const out = resampleRgb(stripes, {x: 0, y: 0, width: 8, height: 8}, 4, 4);
    for (const v of out) expect(v).toBeCloseTo(127.5, 4);
    const third = resampleRgb(picture(3, 1, (x) => [x * 30, 0, 0]), {x: 0, y: 0, width: 3, height: 1}, 1, 1);
    expect(third[0]).toBeCloseTo(30, 4);
  });

  it("resampleRgb interpolates bilinearly between pixel centres when enlarging", () => {
    const ramp = picture(2, 1, (x) => [x * 100, 0, 0]);
    const out = resampleRgb(ramp, {x: 0, y: 0, width: 2, height: 1}, 4, 1);
    // Output centres at source x 0.25, 0.75, 1.25, 1.75 -> 0, 0.25, 0.75, 1 between the two centres (edges clamp).
    expect(Array.from({length: 4}, (_, o) => out[o * 3])).toEqual([0, 25, 75, 100].map((v) => expect.closeTo(v, 4)));
  });

  it("resampleRgb of the whole picture at its own size gives its pixels back", () => {
    const noise = picture(7, 5, (x, y) => [(x * 37 + y * 11) % 256, (x * 5 + y * 91) % 256, (x * y * 13) % 256]);
    const out = resampleRgb(noise, {x: 0, y: 0, width: 7, height: 5}, 7, 5);
    for (let p = 0; p < 35; p++) for (let c = 0; c < 3; c++) expect(out[p * 3 + c]).toBeCloseTo(noise.data[p * 4 + c], 3);
  });
});

describe("iou", () => {
  it("iou(a, b) is the intersection over the union of two boxes, 0 apart", () => {
    expect(iou({x: 0, y: 0, width: 10, height: 10}, {x: 5, y: 0, width: 10, height: 10})).toBeCloseTo(1 / 3, 12);
    expect(iou({x: 0, y: 0, width: 10, height: 10}, {x: 20, y: 0, width: 10, height: 10})).toBe(0);
    expect(iou({x: 0, y: 0, width: 0, height: 0}, {x: 0, y: 0, width: 0, height: 0})).toBe(0);
  });
});
