// A row of faces to pick one from: radio buttons (keyboard: arrows) drawn as the faces themselves, each
// underlined in its label's colour. Returns an Observable Inputs form; its value is the picked face.
import * as Inputs from "@observablehq/inputs";
import {html} from "htl";
import {EMOTION_COLORS} from "../lib/palette.js";
import type {Emotion} from "../lib/labels.js";
import {FaceCanvas, type FaceTile} from "./FaceCanvas.js";

export function FacePicker(faces: FaceTile[], {label = "Face", value = faces.find((f) => f.emotion === "happy") ?? faces[0]}: {label?: string; value?: FaceTile} = {}) {
  return Inputs.radio(faces, {
    label,
    value,
    format: (face: FaceTile) =>
      html`<span class="pick" title=${`${face.emotion} · ${face.id}`}>${FaceCanvas(face)}<span class="pick-label" style=${{background: EMOTION_COLORS[face.emotion as Emotion]}}></span></span>`,
    keyof: (face: FaceTile) => face.id
  });
}
