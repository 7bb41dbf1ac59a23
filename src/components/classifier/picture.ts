// Reads a file the reader gave the page (picker, drop or paste) into a full-resolution canvas and its RGBA
// pixels, or fails with a message a reader can act on: not a picture, unreadable, or too large.
// The browser decodes the file in memory; the bytes are never sent anywhere.

import type {RgbaImage} from "../../lib/face-crop.js";
import {readPictureHeader} from "../../lib/picture-header.js";

/** Pictures larger than this are refused before they are drawn (an 8000x8000 picture needs 256 MB of RGBA). */
export const MAX_PICTURE_PIXELS = 40_000_000;
export const MAX_FILE_BYTES = 60 * 1024 * 1024;

export interface Picture {
  name: string;
  width: number;
  height: number;
  canvas: HTMLCanvasElement;
  image: RgbaImage;
  /** Set when the file is cut short: the browser fills the missing part (grey), so the reader must be told. */
  warning: string | null;
}

/** A failure the page shows as it is. */
export class PictureError extends Error {}

const IMAGE_NAME = /\.(jpe?g|png|gif|webp|bmp|avif|ico|svg)$/i;

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.decoding = "async";
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error("decode failed"));
    img.src = url;
  });
}

/** The picture in `file`, decoded at full resolution; throws PictureError with a reader-facing message. */
export async function readPicture(file: File): Promise<Picture> {
  const name = file.name || "pasted picture";
  if (file.type && !file.type.startsWith("image/")) {
    throw new PictureError(`“${name}” is not a picture (${file.type}). Choose a JPEG, PNG, WebP or GIF file.`);
  }
  if (!file.type && !IMAGE_NAME.test(name)) {
    throw new PictureError(`“${name}” is not a picture. Choose a JPEG, PNG, WebP or GIF file.`);
  }
  if (file.size === 0) throw new PictureError(`“${name}” is empty (0 bytes).`);
  if (file.size > MAX_FILE_BYTES) {
    throw new PictureError(`“${name}” is ${megabytes(file.size)}; this page reads pictures up to ${megabytes(MAX_FILE_BYTES)}. Save a smaller copy and try again.`);
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  const header = readPictureHeader(bytes);
  // SVG, AVIF, ICO and the like have no header reader here: the browser's decoder judges them.
  if (header === null && !(file.type.startsWith("image/") || IMAGE_NAME.test(name))) {
    throw new PictureError(`“${name}” is not a picture. Choose a JPEG, PNG, WebP or GIF file.`);
  }
  if (header?.width != null && header.height != null) tooLarge(name, header.width, header.height);
  const warning = header?.truncated
    ? `“${name}” seems cut short (its ${header.format.toUpperCase()} data stops before its end marker): part of the picture may be missing or grey, and faces there may be misread.`
    : null;
  const blob = new Blob([bytes], {type: file.type || undefined});
  let source: ImageBitmap | HTMLImageElement;
  try {
    source = await decodePicture(blob);
  } catch {
    throw new PictureError(`“${name}” could not be read as a picture: the file is damaged or in a format this browser does not know.`);
  }
  try {
    const width = source instanceof HTMLImageElement ? source.naturalWidth : source.width;
    const height = source instanceof HTMLImageElement ? source.naturalHeight : source.height;
    if (!(width > 0 && height > 0)) throw new PictureError(`“${name}” has no size (is it an empty SVG?).`);
    tooLarge(name, width, height);
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext("2d", {willReadFrequently: true});
    if (!context) throw new PictureError(`“${name}”: the browser refused a ${width} × ${height} canvas (out of memory?).`);
    context.drawImage(source, 0, 0);
    const {data} = context.getImageData(0, 0, width, height);
    return {name, width, height, canvas, image: {data, width, height}, warning};
  } finally {
    if (source instanceof HTMLImageElement) source.src = "";
    else source.close();
  }
}

/**
 * The decoded picture: an ImageBitmap, whose pixels close() gives back at once (an <img>'s decoded pixels stay in
 * the browser's image cache), or an <img> for what createImageBitmap cannot read (SVG).
 */
async function decodePicture(blob: Blob): Promise<ImageBitmap | HTMLImageElement> {
  try {
    return await createImageBitmap(blob);
  } catch {
    const url = URL.createObjectURL(blob);
    try {
      return await loadImage(url);
    } finally {
      URL.revokeObjectURL(url);
    }
  }
}

function tooLarge(name: string, width: number, height: number): void {
  if (width * height <= MAX_PICTURE_PIXELS) return;
  throw new PictureError(
    `“${name}” is ${width.toLocaleString("en")} × ${height.toLocaleString("en")} pixels (${Math.round((width * height) / 1e6)} megapixels); ` +
      `this page reads pictures up to ${MAX_PICTURE_PIXELS / 1e6} megapixels. Scale it down and try again.`
  );
}

/** Frees a canvas's pixels now rather than at the next garbage collection (browsers hold them outside the JS heap). */
export function releaseCanvas(canvas: HTMLCanvasElement): void {
  canvas.width = 0;
  canvas.height = 0;
}

/** Pictures of a drop or a paste: files first, then an image copied from another page (as a blob). */
export function picturesFromTransfer(transfer: DataTransfer | null): File[] {
  if (!transfer) return [];
  const files = Array.from(transfer.files ?? []);
  if (files.length) return files;
  return Array.from(transfer.items ?? [])
    .filter((item) => item.kind === "file")
    .map((item) => item.getAsFile())
    .filter((file): file is File => file !== null);
}
