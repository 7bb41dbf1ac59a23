// Photo mode: pictures from the file picker, a drop anywhere on the page, or a paste; each gets its faces
// boxed and labelled on the picture, and a card per face (crop, Grad-CAM, 7 bars). A picture without a
// face says so and offers to read the whole picture as one face. Bad files get a message and nothing else.
// Memory: a result keeps only its display-sized picture and its faces' 48x48 crops (the full-resolution
// pixels are let go as soon as the faces are read); the newest MAX_RESULTS pictures are kept, "Clear results"
// drops them all, and dropped canvases give their pixels back at once.

import type {Engine, FaceResult} from "./engine.js";
import {BACKEND_LABELS} from "./engine.js";
import {EMOTIONS} from "../../lib/labels.js";
import {drawFaceBoxes} from "./draw.js";
import {FaceCard} from "./face-card.js";
import {PictureError, picturesFromTransfer, readPicture, releaseCanvas, type Picture} from "./picture.js";
import {cropFace, type RgbaImage} from "../../lib/face-crop.js";
import type {FaceDetection} from "../../lib/face-finder.js";

/** The longest side of the canvas the detector reads; the detector itself works at `inputSize` anyway. */
const DETECTION_MAX_SIDE = 1280;
/** Longest side of the picture as displayed (the CSS scales it down further to fit). */
const DISPLAY_MAX_SIDE = 1600;
/** Pictures whose results stay on the page; older ones are dropped (with a note) to bound memory. */
export const MAX_RESULTS = 12;

function ms(value: number): string {
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
}

/** The picture the detector reads: at most DETECTION_MAX_SIDE on its longer side (the browser scales it down). */
function detectionImage(picture: Picture): {image: RgbaImage; scale: number} {
  const scale = Math.min(1, DETECTION_MAX_SIDE / Math.max(picture.width, picture.height));
  if (scale === 1) return {image: picture.image, scale};
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(picture.width * scale);
  canvas.height = Math.round(picture.height * scale);
  const context = canvas.getContext("2d", {willReadFrequently: true})!;
  context.imageSmoothingQuality = "high";
  context.drawImage(picture.canvas, 0, 0, canvas.width, canvas.height);
  const image = {data: context.getImageData(0, 0, canvas.width, canvas.height).data, width: canvas.width, height: canvas.height};
  releaseCanvas(canvas);
  return {image, scale: image.width / picture.width};
}

/** A detection on the scaled-down picture, in the full picture's pixels. */
function scaledDetection(detection: FaceDetection, scale: number): FaceDetection {
  const {box, keypoints, score} = detection;
  return {
    score,
    box: {x: box.x / scale, y: box.y / scale, width: box.width / scale, height: box.height / scale},
    keypoints: keypoints.map(([x, y]) => [x / scale, y / scale] as [number, number])
  };
}

function displayCanvas(picture: Picture, faces: FaceResult[]): HTMLCanvasElement {
  const scale = Math.min(1, DISPLAY_MAX_SIDE / Math.max(picture.width, picture.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(picture.width * scale);
  canvas.height = Math.round(picture.height * scale);
  canvas.className = "picture-result__canvas";
  const context = canvas.getContext("2d")!;
  context.imageSmoothingQuality = "high";
  context.drawImage(picture.canvas, 0, 0, canvas.width, canvas.height);
  drawFaceBoxes(context, faces.map((face, i) => ({...face, tag: String(i + 1)})), {scale});
  const summary = faces.map((face, i) => `face ${i + 1}: ${face.top}`).join(", ");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `${picture.name}${summary ? ` with ${summary}` : ""}`);
  return canvas;
}

/** The canvas as a JPEG <img> with the same class and label (the canvas's pixels are released), or the canvas when encoding fails. */
async function asImage(canvas: HTMLCanvasElement): Promise<HTMLImageElement | HTMLCanvasElement> {
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
  if (!blob) return canvas;
  const image = new Image(canvas.width, canvas.height);
  image.className = canvas.className;
  image.alt = canvas.getAttribute("aria-label") ?? "";
  image.decoding = "async";
  image.src = URL.createObjectURL(blob);
  releaseCanvas(canvas);
  return image;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** What the probabilities average, in words: crop sizes and mirror images. */
function readingNote(face: FaceResult): string {
  const passes = face.cropSizes * (face.flipAveraged ? 2 : 1);
  if (passes === 1) return "";
  const sizes = face.cropSizes > 1 ? `the face cropped at ${face.cropSizes} sizes` : "the face";
  return `Probabilities: ${sizes}${face.flipAveraged ? (face.cropSizes > 1 ? ", each as it is and mirrored" : " and its mirror image") : ""}, ${passes} readings averaged.`;
}

function faceCards(engine: Engine, faces: FaceResult[], {whole = false} = {}): HTMLElement {
  const grid = element("div", "picture-result__faces");
  faces.forEach((face, i) =>
    grid.append(
      FaceCard(face, {
        title: whole ? "Whole picture" : `Face ${i + 1}`,
        explain: () => engine.explain(face.input, EMOTIONS.indexOf(face.top)),
        note: [face.personal ? "Read by your personal model." : "", readingNote(face)].filter(Boolean).join(" ") || undefined
      })
    )
  );
  return grid;
}

/** Reads, detects and classifies one picture into its result block (or an error block). */
async function pictureResult(engine: Engine, file: File): Promise<HTMLElement> {
  let picture: Picture;
  try {
    picture = await readPicture(file);
  } catch (error) {
    const block = element("div", "picture-error", error instanceof PictureError ? error.message : `“${file.name}” could not be read: ${error}`);
    block.setAttribute("role", "alert");
    return block;
  }
  const block = element("article", "picture-result");
  block.dataset.picture = picture.name;
  const header = element("header", "picture-result__header");
  header.append(element("h3", "picture-result__name", picture.name));
  const timing = element("p", "picture-result__timing");
  header.append(timing);
  block.append(header);

  if (picture.warning) {
    const warning = element("p", "picture-result__warning", picture.warning);
    warning.setAttribute("role", "note");
    block.append(warning);
  }

  const t0 = performance.now();
  const {image, scale} = detectionImage(picture);
  const detections = engine.detect(image, "photo").map((detection) => scaledDetection(detection, scale));
  const t1 = performance.now();
  // A photo is not time-critical: each face is read at three crop sizes, as it is and mirrored (PHOTO_READING).
  const faces = await engine.faces(picture.image, detections, engine.photoReading);
  const t2 = performance.now();
  block.dataset.faces = String(faces.length);
  timing.textContent = `${picture.width} × ${picture.height} px · ${faces.length} ${faces.length === 1 ? "face" : "faces"} · ` +
    `detection ${ms(t1 - t0)} · classification ${ms(t2 - t1)} on ${BACKEND_LABELS[engine.backend()]} · each face read at ${(engine.photoReading.scales ?? [1]).length} crop sizes, as it is and mirrored, averaged`;
  block.dataset.flip = "averaged";

  const figure = element("figure", "picture-result__figure");
  const shown = displayCanvas(picture, faces);
  block.append(figure);
  if (faces.length) {
    // Shown as a JPEG <img>: the browser may drop an image's decoded pixels while it is off screen, never a canvas's.
    figure.append(await asImage(shown));
    block.append(faceCards(engine, faces));
    releaseCanvas(picture.canvas);
    return block;
  }
  figure.append(shown);
  // The whole-picture face, cut now, so that the full-resolution picture need not be kept for the button.
  const whole = cropFace(picture.image, null);
  const displayScale = shown.width / picture.width;
  releaseCanvas(picture.canvas);
  const none = element("div", "picture-result__none");
  none.append(element("p", "", "No face found in this picture. If it is a single face cropped close (like FER2013's photos), the model can read the whole picture as one face."));
  const button = element("button", "", "Read the whole picture as one face");
  button.type = "button";
  button.addEventListener("click", async () => {
    button.disabled = true;
    const [face] = await engine.serial(() => engine.facesFromCrops([whole], [null], {flip: true}));
    drawFaceBoxes(shown.getContext("2d")!, [{...face, tag: "1"}], {scale: displayScale});
    none.replaceWith(faceCards(engine, [face], {whole: true}));
  });
  none.append(button);
  block.append(none);
  return block;
}

/** The photo panel: a drop zone with a file picker, and the results, newest first. */
export function UploadPanel(handle: {ready: Promise<Engine>}): HTMLElement {
  const panel = element("section", "upload-panel");
  const zone = element("div", "dropzone");
  const input = element("input", "dropzone__input");
  input.type = "file";
  input.accept = "image/*";
  input.multiple = true;
  input.id = "classifier-files";
  input.setAttribute("aria-label", "pictures to classify");
  // Hidden: the button opens it, so it is no tab stop of its own.
  input.tabIndex = -1;
  const choose = element("button", "dropzone__button", "Choose pictures…");
  choose.type = "button";
  choose.addEventListener("click", () => input.click());
  zone.append(input, choose, element("p", "dropzone__hint", "or drop them anywhere on this page, or paste one (Ctrl+V / ⌘V). Several at once are fine."));
  const status = element("p", "upload-panel__status");
  status.setAttribute("role", "status");
  const tools = element("div", "upload-panel__tools");
  const clear = element("button", "upload-panel__clear", "Clear results");
  clear.type = "button";
  clear.disabled = true;
  const dropped = element("p", "upload-panel__dropped");
  dropped.setAttribute("role", "status");
  tools.append(clear, dropped);
  const results = element("div", "upload-panel__results");
  panel.append(zone, status, tools, results);

  /** Removes result blocks, gives their canvases' pixels back and revokes their pictures' object URLs. */
  const release = (nodes: Element[]) => {
    for (const node of nodes) {
      node.querySelectorAll("canvas").forEach(releaseCanvas);
      node.querySelectorAll<HTMLImageElement>("img[src^='blob:']").forEach((image) => URL.revokeObjectURL(image.src));
      node.remove();
    }
  };
  /** Keeps the newest MAX_RESULTS pictures (results are newest first). */
  const trim = () => {
    const blocks = Array.from(results.querySelectorAll(".picture-result, .picture-error"));
    if (blocks.length > MAX_RESULTS) {
      release(blocks.slice(MAX_RESULTS));
      dropped.textContent = `Only the ${MAX_RESULTS} newest pictures are kept: older results were cleared to save memory.`;
    }
    for (const batch of Array.from(results.children)) if (!batch.childElementCount) batch.remove();
    clear.disabled = results.childElementCount === 0;
  };
  clear.addEventListener("click", () => {
    release(Array.from(results.children));
    dropped.textContent = "";
    clear.disabled = true;
    choose.focus();
  });

  let pending = 0;
  async function handle_(files: File[]): Promise<void> {
    if (!files.length) return;
    const batch = element("div", "upload-panel__batch");
    results.prepend(batch);
    pending += files.length;
    status.textContent = `Reading ${pending} ${pending === 1 ? "picture" : "pictures"}…`;
    let engine: Engine;
    try {
      engine = await handle.ready;
    } catch (error) {
      status.textContent = `The classifier could not start: ${error instanceof Error ? error.message : error}`;
      pending = 0;
      return;
    }
    for (const file of files) {
      const slot = element("div", "upload-panel__slot");
      batch.append(slot);
      try {
        slot.replaceWith(await engine.serial(() => pictureResult(engine, file)));
      } catch (error) {
        const block = element("div", "picture-error", `“${file.name}” could not be classified: ${error instanceof Error ? error.message : error}`);
        block.setAttribute("role", "alert");
        slot.replaceWith(block);
      }
      pending--;
      status.textContent = pending ? `Reading ${pending} more…` : "";
      trim();
    }
  }

  input.addEventListener("change", () => {
    handle_(Array.from(input.files ?? []));
    input.value = "";
  });
  // Drops and pastes anywhere on the page land here: the camera panel takes no files.
  const over = (event: DragEvent) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();
    zone.classList.add("is-over");
  };
  const leave = () => zone.classList.remove("is-over");
  const drop = (event: DragEvent) => {
    leave();
    const files = picturesFromTransfer(event.dataTransfer);
    if (!files.length) return;
    event.preventDefault();
    handle_(files);
  };
  const paste = (event: ClipboardEvent) => {
    const target = event.target as HTMLElement | null;
    if (target?.closest("input, textarea, [contenteditable]")) return;
    const files = picturesFromTransfer(event.clipboardData);
    if (!files.length) return;
    event.preventDefault();
    handle_(files);
  };
  document.addEventListener("dragover", over);
  document.addEventListener("dragleave", leave);
  document.addEventListener("drop", drop);
  document.addEventListener("paste", paste);
  // Framework re-runs a cell when its inputs change: the caller removes the listeners through this.
  (panel as HTMLElement & {dispose?: () => void}).dispose = () => {
    document.removeEventListener("dragover", over);
    document.removeEventListener("dragleave", leave);
    document.removeEventListener("drop", drop);
    document.removeEventListener("paste", paste);
  };
  return panel;
}
