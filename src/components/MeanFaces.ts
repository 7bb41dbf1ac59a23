// The mean face of each class, or its difference from the split's mean face (diverging colours:
// where a class is brighter or darker than the average face), one small canvas per class.
import * as Plot from "@observablehq/plot";
import * as d3 from "d3";
import {html} from "htl";
import {EmotionLabel} from "./EmotionLabel.js";
import {EMOTION_COLORS} from "../lib/palette.js";

export interface DecodedMeanFace {
  emotion: string;
  count: number;
  /** size x size grey levels. */
  pixels: Uint8Array;
}

export function MeanFaces(
  faces: DecodedMeanFace[],
  {size = 48, scale = 2, mode = "mean", range = 40}: {size?: number; scale?: number; mode?: "mean" | "difference"; range?: number} = {}
) {
  const total = d3.sum(faces, (f) => f.count);
  const average = Float64Array.from({length: size * size}, (_, k) => d3.sum(faces, (f) => f.pixels[k] * f.count) / Math.max(1, total));
  const diverging = d3.scaleDiverging(d3.interpolateRdBu).domain([range, 0, -range]).clamp(true);
  const legend = mode === "difference"
    ? Plot.legend({color: {type: "diverging", scheme: "RdBu", reverse: true, domain: [-range, range], label: "grey levels, class mean − average face"}, width: 320})
    : null;
  return html`<div>${legend}<div class="mean-faces" data-mode=${mode}>${faces.map((face) => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    canvas.style.width = canvas.style.height = `${size * scale}px`;
    const context = canvas.getContext("2d")!;
    const image = context.createImageData(size, size);
    for (let k = 0; k < size * size; k++) {
      let r: number, g: number, b: number;
      if (mode === "mean") {
        r = g = b = face.pixels[k];
      } else {
        ({r, g, b} = d3.rgb(diverging(face.pixels[k] - average[k])));
      }
      image.data.set([r, g, b, 255], k * 4);
    }
    context.putImageData(image, 0, 0);
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", `${mode === "mean" ? "mean face" : "difference from the average face"} of ${face.emotion}`);
    return html`<figure>${canvas}<figcaption><span class="swatch" style=${{background: EMOTION_COLORS[face.emotion as keyof typeof EMOTION_COLORS]}}></span>${EmotionLabel(face.emotion)}<br>${face.count.toLocaleString("en-US")} faces</figcaption></figure>`;
  })}</div></div>`;
}
