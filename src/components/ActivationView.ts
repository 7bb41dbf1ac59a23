// One face through the network: the face, what the model reads (against its label), the seven
// probabilities, then every block's most active feature maps.
import {html} from "htl";
import {EMOTIONS} from "../lib/labels.js";
import type {BlockValues} from "../lib/activation-probe.js";
import {ActivationGrid} from "./ActivationGrid.js";
import {ClassProbabilities} from "./ClassProbabilities.js";
import {EmotionLabel} from "./EmotionLabel.js";
import {FaceCanvas, type FaceTile} from "./FaceCanvas.js";

export function ActivationView(
  seen: {blocks: BlockValues[]; probabilities: number[]},
  {face, model, backend}: {face: FaceTile; model: string; backend: string}
): HTMLElement {
  const predicted = EMOTIONS[seen.probabilities.indexOf(Math.max(...seen.probabilities))];
  return html`<div>
    <div class="activation-header">
      <figure>${FaceCanvas(face, {scale: 3})}<figcaption>labelled ${EmotionLabel(face.emotion)}<br><span class="muted">${face.id}</span></figcaption></figure>
      <div><p>${model} reads ${EmotionLabel(predicted)} (${(Math.max(...seen.probabilities) * 100).toFixed(0)}%)${predicted === face.emotion ? ", the label." : `; the label says ${face.emotion}.`}</p>${ClassProbabilities(seen.probabilities, {label: face.emotion})}</div>
    </div>
    ${ActivationGrid(seen.blocks, {channels: 16, size: 44})}
    <p class="muted"><small>Computed in this page with TensorFlow.js (${backend} backend). Each image is one channel's feature map after the block's last ReLU, scaled to its own maximum.</small></p>
  </div>`;
}
