// One 48x48 grey face (base64 pixels, as the loaders write them) drawn on a canvas, labelled for screen readers.
import {base64ToBytes} from "../lib/base64.js";

export interface FaceTile {
  id: string;
  emotion: string;
  /** 2304 grey levels, base64. */
  pixels: string;
}

export function FaceCanvas(face: FaceTile, {scale = 1}: {scale?: number} = {}): HTMLCanvasElement {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 48;
  canvas.style.width = canvas.style.height = `${48 * scale}px`;
  const context = canvas.getContext("2d")!;
  const image = context.createImageData(48, 48);
  base64ToBytes(face.pixels).forEach((v, i) => image.data.set([v, v, v, 255], i * 4));
  context.putImageData(image, 0, 0);
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `${face.emotion} face ${face.id}`);
  return canvas;
}
