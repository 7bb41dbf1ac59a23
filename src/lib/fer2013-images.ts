// The pure half of the FER2013 image-folder reader: what a file's path says (class, split), what its header
// says (format, size), and the one grey conversion that Node and the browser classifier share.
// Decoding (jpeg-js, pngjs) and file I/O live in tools/fer2013.ts.
//
// Policy, documented in README.md:
// - class = the name of the folder holding the file, through emotionIndex (never folder sort order);
//   an unknown class folder is an error naming it;
// - split = the file-name prefix Training_ / PublicTest_ / PrivateTest_ when present, else the top folder:
//   train/ -> Training; test/ -> an error, since test/ mixes FER2013's two test splits and guessing one of
//   them would silently mislabel the evaluation (Kaggle's image folders always carry the prefix);
// - a face must be 48x48: any other size is rejected with the file and its size (no silent resampling);
// - colour (RGB, RGBA, grey+alpha) is converted to grey with toGrey's BT.601 luma weights; alpha is ignored.

import {EMOTIONS, SPLITS, emotionIndex} from "./labels.js";
import {IMAGE_PIXELS, IMAGE_SIZE} from "./dataset.js";

/** ITU-R BT.601 luma in 16-bit fixed point (as PIL's convert("L") and OpenCV): they sum to 65536, so grey stays exact. */
export const LUMA_WEIGHTS_16 = [19595, 38470, 7471] as const;

/**
 * Interleaved pixels with `channels` values each (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA, e.g. canvas
 * ImageData.data) to one grey byte per pixel. Alpha is ignored.
 */
export function toGrey(data: ArrayLike<number>, channels: 1 | 2 | 3 | 4): Uint8Array {
  const n = Math.floor(data.length / channels);
  const grey = new Uint8Array(n);
  if (channels <= 2) {
    for (let i = 0, j = 0; i < n; i++, j += channels) grey[i] = data[j];
    return grey;
  }
  const [wr, wg, wb] = LUMA_WEIGHTS_16;
  for (let i = 0, j = 0; i < n; i++, j += channels) {
    grey[i] = (wr * data[j] + wg * data[j + 1] + wb * data[j + 2] + 32768) >>> 16;
  }
  return grey;
}

/** Image formats the folder reader decodes. */
export type FaceImageFormat = "jpeg" | "png";

/** File-name extensions taken as face images; other files in a class folder are an error. */
export const FACE_IMAGE_EXTENSIONS = [".jpg", ".jpeg", ".png"] as const;

export function isFaceImageName(name: string): boolean {
  const lower = name.toLowerCase();
  return FACE_IMAGE_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

/** The format from the file's first bytes (the extension can lie), or undefined when neither. */
export function imageFormat(bytes: Uint8Array): FaceImageFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return "png";
  return undefined;
}

/**
 * Width and height from a JPEG's frame header or a PNG's IHDR, without decoding, so that a wrong size is
 * reported as such (and a huge image is never decoded). Throws when the header is missing or truncated.
 */
export function imageSize(bytes: Uint8Array, file: string): {format: FaceImageFormat; width: number; height: number} {
  const format = imageFormat(bytes);
  if (format === "png") {
    if (bytes.length < 24) throw new Error(`${file}: corrupt png (truncated header), expected a 48x48 face`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return {format, width: view.getUint32(16), height: view.getUint32(20)};
  }
  if (format === "jpeg") {
    // Walk the marker segments up to the first start-of-frame (SOF0..SOF15 except DHT, JPG, DAC).
    let i = 2;
    while (i + 4 <= bytes.length) {
      if (bytes[i] !== 0xff) break;
      const marker = bytes[i + 1];
      if (marker === 0xff) {
        i++;
        continue;
      }
      const length = (bytes[i + 2] << 8) | bytes[i + 3];
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        if (i + 9 > bytes.length) break;
        return {format, height: (bytes[i + 5] << 8) | bytes[i + 6], width: (bytes[i + 7] << 8) | bytes[i + 8]};
      }
      i += 2 + length;
    }
    throw new Error(`${file}: corrupt jpeg (no frame header), expected a 48x48 face`);
  }
  throw new Error(`${file}: not a jpeg or png image (unrecognised first bytes), expected a 48x48 face`);
}

/** Throws the size error of the policy above unless the image is 48x48. */
export function checkFaceSize({width, height}: {width: number; height: number}, file: string): void {
  if (width !== IMAGE_SIZE || height !== IMAGE_SIZE) {
    throw new Error(`${file}: image is ${width}x${height}, expected ${IMAGE_SIZE}x${IMAGE_SIZE} (fer2013 faces are not resized)`);
  }
}

/** A decoded 48x48 image (any channel count) to the face's 2304 grey bytes. */
export function faceFromDecoded(image: {width: number; height: number; data: ArrayLike<number>}, file: string): Uint8Array {
  checkFaceSize(image, file);
  const channels = image.data.length / IMAGE_PIXELS;
  if (channels !== 1 && channels !== 2 && channels !== 3 && channels !== 4) {
    throw new Error(`${file}: decoded ${image.data.length} values for ${IMAGE_PIXELS} pixels, expected 1 to 4 channels`);
  }
  return toGrey(image.data, channels);
}

const SPLIT_PREFIXES = SPLITS.map((split) => `${split.toLowerCase()}_`);

/** The split a file-name prefix names (Training_ / PublicTest_ / PrivateTest_), or -1. */
export function splitFromFileName(name: string): number {
  const lower = name.toLowerCase();
  return SPLIT_PREFIXES.findIndex((prefix) => lower.startsWith(prefix));
}

/** Top-level folder names of the train/test layout. */
export const SPLIT_FOLDERS = ["train", "test"] as const;

export function isSplitFolder(name: string): boolean {
  return (SPLIT_FOLDERS as readonly string[]).includes(name.toLowerCase());
}

/**
 * Label and split of one image from its id, the path relative to the dataset root with "/" separators:
 * "train/sad/Training_1.jpg", or "sad/Training_1.jpg" when the root holds the class folders (then
 * `rootName`, the root folder's own name, stands in for the top folder). Errors name `file` (default: the id).
 */
export function labelFaceImage(id: string, {rootName = "", file = id}: {rootName?: string; file?: string} = {}): {label: number; split: number} {
  const parts = id.split("/");
  if (parts.length < 2 || parts.length > 3) {
    throw new Error(`${file}: expected <class>/<file> or train|test/<class>/<file>`);
  }
  const name = parts[parts.length - 1];
  const classFolder = parts[parts.length - 2];
  const top = parts.length === 3 ? parts[0] : rootName;
  const label = emotionIndex(classFolder);
  if (label < 0) throw new Error(`${file}: unknown class folder "${classFolder}", expected one of ${EMOTIONS.join(", ")}`);
  let split = splitFromFileName(name);
  if (split < 0) {
    const folder = top.toLowerCase();
    if (folder === "train") split = SPLITS.indexOf("Training");
    else if (folder === "test") {
      throw new Error(`${file}: cannot tell PublicTest from PrivateTest, expected a PublicTest_ or PrivateTest_ file-name prefix in test/`);
    } else {
      throw new Error(`${file}: cannot tell the split, expected a Training_/PublicTest_/PrivateTest_ file-name prefix or a train/ folder`);
    }
  }
  return {label, split};
}
