// An emotion's name in running text, marked with its colour as a thick underline: the palette's colours are
// too light to be text on white (gold is 2:1), and the name must stay readable in both themes.
import {html} from "htl";
import {EMOTION_COLORS} from "../lib/palette.js";
import type {Emotion} from "../lib/labels.js";

export function EmotionLabel(emotion: string): HTMLElement {
  return html`<span class="emotion-label" style=${{"--emotion": EMOTION_COLORS[emotion as Emotion] ?? "currentColor"}}>${emotion}</span>`;
}
