// One face's result as the reader sees it: the 48x48 crop the model saw, the Grad-CAM evidence for its top
// class, and a bar for each of the 7 probabilities. The element carries the test hooks data-emotion,
// data-confidence and data-box (x,y,w,h in source-picture pixels).

import {EMOJI, EMOTIONS, type Emotion} from "../../lib/labels.js";
import {EMOTION_COLORS} from "../../lib/palette.js";
import type {Box} from "../../lib/face-crop.js";
import type {Saliency} from "../../lib/saliency.js";
import {greyCanvas, saliencyCanvas} from "./draw.js";

function percent(p: number): string {
  return p > 0 && p < 0.005 ? "<1%" : `${Math.round(p * 100)}%`;
}

/** Seven labelled bars, one per class in EMOTIONS order; `updateBars` refreshes them in place. */
export function EmotionBars(probabilities: ArrayLike<number>, {compact = false} = {}): HTMLElement {
  const list = document.createElement("ol");
  list.className = `emotion-bars${compact ? " emotion-bars--compact" : ""}`;
  list.setAttribute("aria-label", "probability of each expression");
  for (const emotion of EMOTIONS) {
    const item = document.createElement("li");
    item.dataset.class = emotion;
    item.style.setProperty("--color", EMOTION_COLORS[emotion]);
    item.innerHTML = `<span class="emotion-bars__name"><span aria-hidden="true">${EMOJI[emotion]}</span> ${emotion}</span>` +
      `<span class="emotion-bars__track"><span class="emotion-bars__bar"></span></span><span class="emotion-bars__value"></span>`;
    list.append(item);
  }
  updateBars(list, probabilities);
  return list;
}

export function updateBars(list: HTMLElement, probabilities: ArrayLike<number>): void {
  let top = 0;
  for (let k = 1; k < EMOTIONS.length; k++) if (probabilities[k] > probabilities[top]) top = k;
  list.querySelectorAll<HTMLElement>("li").forEach((item, k) => {
    const p = probabilities[k];
    item.querySelector<HTMLElement>(".emotion-bars__bar")!.style.width = `${(p * 100).toFixed(1)}%`;
    item.querySelector<HTMLElement>(".emotion-bars__value")!.textContent = percent(p);
    item.classList.toggle("is-top", k === top);
  });
}

/** Sets the test hooks (and an accessible summary) of a face result element. */
export function setFaceHooks(element: HTMLElement, {top, confidence, box}: {top: Emotion; confidence: number; box: Box}): void {
  element.dataset.emotion = top;
  element.dataset.confidence = confidence.toFixed(4);
  element.dataset.box = [box.x, box.y, box.width, box.height].map((v) => Math.round(v)).join(",");
}

export interface FaceCardData {
  box: Box;
  pixels: Uint8Array;
  probabilities: ArrayLike<number>;
  top: Emotion;
  confidence: number;
}

/** A face's card: title, crop, Grad-CAM, bars. `explain` is called lazily, after the card is on screen. */
export function FaceCard(
  face: FaceCardData,
  {title, explain, note}: {title: string; explain?: () => Saliency; note?: string}
): HTMLElement {
  const card = document.createElement("article");
  card.className = "face-result";
  card.tabIndex = 0;
  setFaceHooks(card, face);
  card.setAttribute("aria-label", `${title}: ${face.top}, ${Math.round(face.confidence * 100)}% confident`);
  card.style.setProperty("--color", EMOTION_COLORS[face.top]);
  const header = document.createElement("header");
  header.innerHTML = `<span class="face-result__title"></span><span class="face-result__emoji" aria-hidden="true">${EMOJI[face.top]}</span>` +
    `<strong class="face-result__label">${face.top}</strong><span class="face-result__confidence">${Math.round(face.confidence * 100)}%</span>`;
  header.querySelector(".face-result__title")!.textContent = title;
  const views = document.createElement("div");
  views.className = "face-result__views";
  const crop = document.createElement("figure");
  crop.append(greyCanvas(face.pixels, 48));
  crop.insertAdjacentHTML("beforeend", `<figcaption>what the model saw (48×48)</figcaption>`);
  views.append(crop);
  if (explain) {
    const why = document.createElement("figure");
    why.className = "face-result__why";
    why.innerHTML = `<div class="face-result__pending" aria-hidden="true"></div><figcaption>why “${face.top}”</figcaption>`;
    views.append(why);
    // Grad-CAM takes a backward pass: let the card paint first.
    requestAnimationFrame(() =>
      setTimeout(() => {
        try {
          const saliency = explain();
          const canvas = saliencyCanvas(face.pixels, saliency.map, saliency.size);
          canvas.title = saliency.method === "grad-cam" ? `Grad-CAM on ${saliency.layer}` : "input-gradient saliency";
          why.querySelector(".face-result__pending")!.replaceWith(canvas);
        } catch (error) {
          why.querySelector(".face-result__pending")!.textContent = "unavailable";
          why.title = error instanceof Error ? error.message : String(error);
        }
      }, 0)
    );
  }
  card.append(header, views, EmotionBars(face.probabilities));
  if (note) {
    const paragraph = document.createElement("p");
    paragraph.className = "face-result__note";
    paragraph.textContent = note;
    card.append(paragraph);
  }
  return card;
}
