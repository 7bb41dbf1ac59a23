// Test faces with what the model said about them: each face (a tile of the split's sprite sheet) above
// its seven predicted probabilities as small bars in the emotions' colours, the true class outlined.
// Used for the faces of a confusion-matrix cell and for the most confident mistakes.
import {EmotionLabel} from "./EmotionLabel.js";
import {html, svg} from "htl";
import {EMOTIONS} from "../lib/labels.js";
import {EMOTION_COLORS} from "../lib/palette.js";
import type {SpriteFace} from "../lib/model-pages.js";
import {spriteTileStyle, type SpriteSheetOptions} from "./FaceGallery.js";

export interface ProbableFace {
  face: SpriteFace;
  /** Seven probabilities in EMOTIONS order. */
  p: number[];
}

export type FaceProbabilitiesOptions = SpriteSheetOptions;

function ProbabilityBars(p: number[], label: number, {width = 96, height = 34} = {}) {
  const band = width / p.length;
  return svg`<svg width=${width} height=${height} viewBox="0 0 ${width} ${height}" aria-hidden="true" class="probability-bars">
    ${p.map((value, k) => {
      const barHeight = Math.max(value > 0 ? 1 : 0, value * (height - 3));
      return svg`<rect x=${k * band + 1} y=${height - barHeight} width=${band - 2} height=${barHeight} fill=${EMOTION_COLORS[EMOTIONS[k]]}>
        <title>${EMOTIONS[k]} ${(value * 100).toFixed(1)}%</title></rect>`;
    })}
    <rect x=${label * band + 0.5} y="0.5" width=${band - 1} height=${height - 1} fill="none" stroke="currentColor" stroke-width="1" stroke-dasharray="2 2"></rect>
  </svg>`;
}

export function FaceProbabilities(entries: ProbableFace[], sheet: FaceProbabilitiesOptions) {
  const side = (sheet.tileSize ?? 48) * (sheet.scale ?? 2);
  return html`<div class="face-gallery face-probabilities">${entries.map(({face, p}) => {
    let predicted = 0;
    for (let k = 1; k < p.length; k++) if (p[k] > p[predicted]) predicted = k;
    const right = predicted === face.label;
    const description = `${EMOTIONS[face.label]} face predicted ${EMOTIONS[predicted]} at ${(p[predicted] * 100).toFixed(0)}%` +
      (right ? "" : `, ${EMOTIONS[face.label]} at ${(p[face.label] * 100).toFixed(0)}%`);
    return html`<figure data-face-id=${face.id} data-label=${EMOTIONS[face.label]} data-predicted=${EMOTIONS[predicted]}>
      <div class="face" role="img" aria-label=${description} title=${`${face.id}\n${EMOTIONS.map((e, k) => `${e} ${(p[k] * 100).toFixed(1)}%`).join("\n")}`} style=${spriteTileStyle(face, sheet)}></div>
      ${ProbabilityBars(p, face.label, {width: side})}
      <figcaption>${EmotionLabel(EMOTIONS[predicted])} ${(p[predicted] * 100).toFixed(0)}%${
        right ? "" : html`<br><span class="muted">true: ${EMOTIONS[face.label]} ${(p[face.label] * 100).toFixed(0)}%</span>`
      }</figcaption>
    </figure>`;
  })}</div>`;
}
