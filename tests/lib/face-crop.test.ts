import {describe, expect, it} from "vitest";
import {FACE_CROP, PHOTO_CROP_SCALES, centreSquare, cropFace, greyCrop, squareCrop, type RgbaImage} from "../../src/lib/face-crop.js";
import {alignedGreyCrop, faceSquare} from "../../src/lib/face-align.js";
import {facesToInput} from "../../src/lib/preprocess.js";
import {toGrey} from "../../src/lib/fer2013-images.js";

/** A width x height RGBA picture whose pixel (x, y) has the colour pixel(x, y). */
function picture(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      data.set([r, g, b, 255], (y * width + x) * 4);
    }
  }
  return {data, width, height};
}

describe("squareCrop", () => {
  it("squareCrop(face, image, {scale, shiftY}) is a square of the longer side times scale, moved by shiftY x side", () => {
    const crop = squareCrop({x: 100, y: 100, width: 80, height: 100}, {width: 1000, height: 1000}, {scale: 1.2, shiftY: -0.1});
    expect(crop.width).toBeCloseTo(120, 12);
    expect(crop.height).toBeCloseTo(120, 12);
    expect(crop.x + crop.width / 2).toBeCloseTo(140, 12);
    expect(crop.y + crop.height / 2).toBeCloseTo(150 - 12, 12);
  });

  it("squareCrop by default follows FER2013's framing: the longer side, raised by a tenth of it", () => {
    expect(FACE_CROP).toEqual({scale: 1, shiftY: -0.1});
    expect(squareCrop({x: 200, y: 200, width: 100, height: 90}, {width: 1000, height: 1000})).toEqual({x: 200, y: 185, width: 100, height: 100});
  });

  it("squareCrop shifts a crop that would cross the picture's edge back inside it", () => {
    const crop = squareCrop({x: -10, y: 590, width: 100, height: 100}, {width: 800, height: 640}, {scale: 1.4, shiftY: 0});
    expect(crop).toEqual({x: 0, y: 640 - 140, width: 140, height: 140});
  });

  it("squareCrop shrinks a crop larger than the picture to the picture's short side", () => {
    const crop = squareCrop({x: 0, y: 0, width: 300, height: 200}, {width: 300, height: 200});
    expect(crop).toEqual({x: 50, y: 0, width: 200, height: 200});
  });

  it("squareCrop rejects an empty face box", () => {
    expect(() => squareCrop({x: 0, y: 0, width: 0, height: 10}, {width: 10, height: 10})).toThrow(/invalid face box/);
  });
});

describe("greyCrop", () => {
  it("greyCrop turns colour grey with the dataset reader's own conversion (toGrey)", () => {
    const colours: [number, number, number][] = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [200, 100, 50], [77, 77, 77]];
    for (const [r, g, b] of colours) {
      const pixels = greyCrop(picture(48, 48, () => [r, g, b]), {x: 0, y: 0, width: 48, height: 48});
      expect(new Set(pixels)).toEqual(new Set([toGrey([r, g, b, 255], 4)[0]]));
    }
  });

  it("greyCrop of a 48x48 grey picture's whole area returns its pixels unchanged", () => {
    const image = picture(48, 48, (x, y) => [(x * 5 + y * 3) % 256, (x * 5 + y * 3) % 256, (x * 5 + y * 3) % 256]);
    const pixels = greyCrop(image, {x: 0, y: 0, width: 48, height: 48});
    for (let i = 0; i < 48 * 48; i++) expect(pixels[i]).toBe(image.data[i * 4]);
  });

  it("greyCrop shrinking 96x96 to 48x48 averages each 2x2 block", () => {
    const image = picture(96, 96, (x, y) => {
      const v = (x % 2) * 100 + (y % 2) * 50 + Math.floor(x / 2);
      return [v, v, v];
    });
    const pixels = greyCrop(image, {x: 0, y: 0, width: 96, height: 96});
    for (let oy = 0; oy < 48; oy++) {
      for (let ox = 0; ox < 48; ox++) expect(pixels[oy * 48 + ox]).toBe(Math.round(75 + ox));
    }
  });

  it("greyCrop enlarging a small face keeps a flat colour flat and a left-to-right ramp increasing", () => {
    const flat = greyCrop(picture(20, 20, () => [200, 100, 50]), {x: 0, y: 0, width: 20, height: 20});
    expect(new Set(flat)).toEqual(new Set([toGrey([200, 100, 50, 255], 4)[0]]));
    const ramp = greyCrop(picture(20, 20, (x) => [x * 10, x * 10, x * 10]), {x: 0, y: 0, width: 20, height: 20});
    for (let ox = 1; ox < 48; ox++) expect(ramp[ox]).toBeGreaterThanOrEqual(ramp[ox - 1]);
    expect(ramp[0]).toBe(0);
    expect(ramp[47]).toBe(190);
  });

  it("greyCrop reads only the crop: a crop of the picture's right half ignores the left half", () => {
    const image = picture(200, 100, (x) => (x < 100 ? [0, 0, 0] : [255, 255, 255]));
    expect(new Set(greyCrop(image, {x: 100, y: 0, width: 100, height: 100}))).toEqual(new Set([255]));
  });

  it("greyCrop rejects pixel data whose length does not match the picture's size", () => {
    const image = {data: new Uint8ClampedArray(10), width: 2, height: 2};
    expect(() => greyCrop(image, {x: 0, y: 0, width: 2, height: 2})).toThrow(/10 bytes for 2x2, expected 16/);
  });
});

describe("cropFace", () => {
  it("cropFace(image, null) classifies the picture's largest centred square", () => {
    const image = picture(300, 200, (x) => (x < 50 || x >= 250 ? [255, 255, 255] : [0, 0, 0]));
    const {crop, pixels} = cropFace(image, null);
    expect(crop).toEqual(centreSquare(image));
    expect(crop).toEqual({x: 50, y: 0, width: 200, height: 200});
    expect(new Set(pixels)).toEqual(new Set([0]));
  });

  it("cropFace(image, face) returns 48x48 grey pixels of the face's square crop", () => {
    const image = picture(640, 480, (x, y) => (x >= 200 && x < 300 && y >= 100 && y < 200 ? [250, 250, 250] : [10, 10, 10]));
    const {crop, pixels} = cropFace(image, {x: 200, y: 100, width: 100, height: 100}, {scale: 1, shiftY: 0});
    expect(crop).toEqual({x: 200, y: 100, width: 100, height: 100});
    expect(pixels).toHaveLength(48 * 48);
    expect(new Set(pixels)).toEqual(new Set([250]));
  });

  it("cropFace gives the model input scaled by the model-input contract (pixel / 255)", () => {
    const image = picture(100, 100, (x) => [x * 2, x * 2, x * 2]);
    const {pixels, input} = cropFace(image, null);
    expect(input).toHaveLength(48 * 48);
    for (let i = 0; i < input.length; i++) expect(input[i]).toBeCloseTo(pixels[i] / 255, 6);
  });

  it("cropFace with scales reads a detected face at each other size too: views are the same square, its side times each scale", () => {
    const image = picture(640, 480, (x, y) => [(x * 7 + y * 3) % 256, (x + y) % 256, (x * y) % 256]);
    const detection = {box: {x: 250, y: 180, width: 120, height: 120}, keypoints: [[285, 220], [335, 225]] as [number, number][]};
    const one = cropFace(image, detection);
    const several = cropFace(image, detection, {scales: [0.9, 1, 1.1]});
    expect(one.views).toBeUndefined();
    expect(several.input).toEqual(one.input);
    expect(several.views).toHaveLength(2);
    const square = faceSquare(detection);
    expect(several.views![0]).toEqual(facesToInput(alignedGreyCrop(image, {...square, side: square.side * 0.9}, 48)));
    expect(several.views![1]).toEqual(facesToInput(alignedGreyCrop(image, {...square, side: square.side * 1.1}, 48)));
    expect(several.views![0]).not.toEqual(several.input);
  });

  it("cropFace with scales keeps a plain box's centre while its square grows or shrinks, and never rescales the whole picture", () => {
    // A bright square 100 px on a side, centred on the box's centre, on black: 0.5x the crop sees only bright pixels.
    const image = picture(640, 480, (x, y) => (Math.abs(x + 0.5 - 320) < 50 && Math.abs(y + 0.5 - 240) < 50 ? [250, 250, 250] : [0, 0, 0]));
    const box = {x: 270, y: 190, width: 100, height: 100};
    const {views} = cropFace(image, box, {scale: 2, shiftY: 0, scales: [0.5, 1]});
    expect(views).toHaveLength(1);
    expect(new Set(views![0])).toEqual(new Set([250 / 255].map((v) => Math.fround(v))));
    expect(cropFace(image, null, {scales: PHOTO_CROP_SCALES}).views).toBeUndefined();
  });

  it("cropFace rejects a crop scale that is not positive", () => {
    const image = picture(100, 100, () => [0, 0, 0]);
    expect(() => cropFace(image, {x: 10, y: 10, width: 50, height: 50}, {scales: [1, 0]})).toThrow(/invalid crop scales/);
  });
});
