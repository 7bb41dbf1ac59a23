// Canvas drawing for the classifier: face boxes with their number and top expression on a picture or a
// video frame, the 48x48 crop the model saw, and the Grad-CAM heat map laid over that crop.

import {EMOJI, type Emotion} from "../../lib/labels.js";
import {EMOTION_COLORS} from "../../lib/palette.js";
import type {Box} from "../../lib/face-crop.js";

export interface LabelledBox {
  box: Box;
  top: Emotion;
  confidence: number;
  /** Shown before the label: the face's number in the list beside the picture. */
  tag?: string;
}

export interface DrawBoxesOptions {
  /** Canvas pixels per source pixel. */
  scale?: number;
  /** Draw boxes for a horizontally mirrored view (a selfie camera), keeping the text readable. */
  mirror?: boolean;
  /** Source width, needed to mirror. */
  sourceWidth?: number;
}

/** Draws each face's box and a label chip ("1 😄 happy 87%") on `context`, sized for the canvas. */
export function drawFaceBoxes(context: CanvasRenderingContext2D, faces: readonly LabelledBox[], {scale = 1, mirror = false, sourceWidth = 0}: DrawBoxesOptions = {}): void {
  const {width, height} = context.canvas;
  const fontSize = Math.round(Math.max(13, Math.min(28, Math.max(width, height) / 45)));
  const line = Math.max(2, fontSize / 7);
  context.save();
  context.font = `600 ${fontSize}px system-ui, -apple-system, "Segoe UI", sans-serif`;
  context.textBaseline = "middle";
  for (const face of faces) {
    const color = EMOTION_COLORS[face.top];
    const x = (mirror ? sourceWidth - face.box.x - face.box.width : face.box.x) * scale;
    const y = face.box.y * scale, w = face.box.width * scale, h = face.box.height * scale;
    context.lineWidth = line;
    context.strokeStyle = "rgba(0, 0, 0, 0.45)";
    context.strokeRect(x - line / 2, y - line / 2, w + line, h + line);
    context.strokeStyle = color;
    context.strokeRect(x, y, w, h);
    const text = `${face.tag ? `${face.tag}  ` : ""}${EMOJI[face.top]} ${face.top} ${Math.round(face.confidence * 100)}%`;
    const padding = fontSize * 0.35;
    const chipWidth = context.measureText(text).width + 2 * padding;
    const chipHeight = fontSize * 1.5;
    // Above the box when there is room, else inside its top edge; never past the canvas's sides.
    const chipX = Math.min(Math.max(0, x - line / 2), width - chipWidth);
    const chipY = y - chipHeight - line >= 0 ? y - chipHeight - line / 2 : y + line / 2;
    context.fillStyle = color;
    context.fillRect(chipX, chipY, chipWidth, chipHeight);
    context.fillStyle = "#fff";
    context.fillText(text, chipX + padding, chipY + chipHeight / 2 + 1);
  }
  context.restore();
}

/** A canvas showing 48x48 grey pixels, displayed enlarged and pixelated (CSS sizes it). */
export function greyCanvas(pixels: Uint8Array, size: number): HTMLCanvasElement {
  const canvas = document.createElement("canvas");
  canvas.width = size;
  canvas.height = size;
  const rgba = new ImageData(size, size);
  for (let i = 0; i < size * size; i++) rgba.data.set([pixels[i], pixels[i], pixels[i], 255], i * 4);
  canvas.getContext("2d")!.putImageData(rgba, 0, 0);
  return canvas;
}

/** Matplotlib's inferno at t = 0, 0.1, ..., 1: dark purple (no evidence) to pale yellow (strongest). */
const INFERNO_STOPS = [
  0x000004, 0x160b39, 0x420a68, 0x6a176e, 0x932667, 0xbc3754, 0xdd513a, 0xf37819, 0xfca50a, 0xf6d746, 0xfcffa4
].map((hex) => [hex >> 16, (hex >> 8) & 255, hex & 255]);

/** Inferno in 256 steps as [r, g, b], interpolated linearly between the stops. */
const HEAT = Array.from({length: 256}, (_, i) => {
  const t = (i / 255) * (INFERNO_STOPS.length - 1);
  const k = Math.min(Math.floor(t), INFERNO_STOPS.length - 2), f = t - k;
  return INFERNO_STOPS[k].map((c, j) => Math.round(c + (INFERNO_STOPS[k + 1][j] - c) * f));
});

/** The crop in grey with the heat map (0..1) blended over it: bright where the evidence is. */
export function saliencyCanvas(pixels: Uint8Array, map: Float32Array, size: number, {opacity = 0.6} = {}): HTMLCanvasElement {
  const canvas = document.createElement("canvas");
  canvas.width = size;
  canvas.height = size;
  const rgba = new ImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    const [r, g, b] = HEAT[Math.round(Math.min(1, Math.max(0, map[i])) * 255)];
    const alpha = opacity * Math.min(1, 0.25 + map[i]);
    const grey = pixels[i];
    rgba.data.set([grey * (1 - alpha) + r * alpha, grey * (1 - alpha) + g * alpha, grey * (1 - alpha) + b * alpha, 255], i * 4);
  }
  canvas.getContext("2d")!.putImageData(rgba, 0, 0);
  return canvas;
}
