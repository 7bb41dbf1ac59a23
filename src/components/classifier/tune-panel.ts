// "Tune to me": the reader picks two or more expressions, captures a few seconds of each from the camera (or
// drops labelled photos), sees every captured face and can delete any, then tunes in this page
// (src/lib/personal-tuning.ts: batch-norm statistics re-estimated on those faces, the last layer re-fitted), with
// the held-out faces' accuracy before and after. The personal model is kept only in this browser (IndexedDB), used by the camera and photos while
// "Use my personal model" is on, exported to and imported from a file, and deleted by "Forget me".
// Faces are found, aligned and cropped by the page's own pipeline; no picture or face leaves the page.

import type {Engine} from "./engine.js";
import {EMOJI, EMOTIONS} from "../../lib/labels.js";
import {cropFace, type RgbaImage} from "../../lib/face-crop.js";
import {headOf, validatePersonalModel, type PersonalModel} from "../../lib/personal-head.js";
import {greyCanvas} from "./draw.js";
import {PictureError, readPicture, releaseCanvas} from "./picture.js";
import {forgetPersonal, loadPersonal, savePersonal} from "./personal-store.js";

/** Seconds of camera per expression, and the time between captured frames. */
const CAPTURE_SECONDS = 3;
const CAPTURE_EVERY_MS = 150;
/** Faces each tuned expression needs, at least (one in four is held out to check the tuning). */
export const MIN_FACES = 4;

interface Captured {
  pixels: Uint8Array;
  input: Float32Array;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(className: string, text: string): HTMLButtonElement {
  const node = element("button", className, text);
  node.type = "button";
  return node;
}

/** The largest face of a picture, aligned and cropped as the classifier does; the whole picture when none is found. */
function largestFace(engine: Engine, image: RgbaImage, mode: "camera" | "photo"): Captured | null {
  const detections = engine.detect(image, mode);
  if (!detections.length && mode === "camera") return null;
  const largest = detections.sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height)[0] ?? null;
  const {pixels, input} = cropFace(image, largest);
  return {pixels, input};
}

export function TunePanel(handle: {ready: Promise<Engine>}): HTMLElement {
  const panel = element("section", "tune-panel");
  panel.append(element("p", "tune-panel__intro",
    "Teach the classifier how your face shows each expression: choose two or more, capture each for a few seconds (or add photos of yourself), then tune. The model adapts its normalization to your faces and re-fits its last layer, in this page; the faces and the personal model stay in this browser."));
  const choices = element("fieldset", "tune-panel__choices");
  choices.append(element("legend", "", "Expressions to tune (two or more)"));
  const checks = new Map<number, HTMLInputElement>();
  EMOTIONS.forEach((emotion, k) => {
    const label = element("label", "tune-panel__choice");
    const check = element("input", "");
    check.type = "checkbox";
    check.value = emotion;
    checks.set(k, check);
    label.append(check, ` ${EMOJI[emotion]} ${emotion}`);
    choices.append(label);
  });
  const rows = element("div", "tune-panel__rows");
  const actions = element("div", "tune-panel__actions");
  const tune = button("tune-panel__tune", "Tune to me");
  tune.disabled = true;
  const status = element("p", "tune-panel__status");
  status.setAttribute("role", "status");
  actions.append(tune, status);
  const saved = element("div", "tune-panel__saved");
  const useLabel = element("label", "tune-panel__use");
  const use = element("input", "");
  use.type = "checkbox";
  useLabel.append(use, " Use my personal model (camera and photos)");
  const exportButton = button("tune-panel__export", "Export…");
  const importLabel = element("label", "tune-panel__import");
  const importInput = element("input", "");
  importInput.type = "file";
  importInput.accept = ".json,application/json";
  importInput.setAttribute("aria-label", "import a personal model file");
  importLabel.append("Import… ", importInput);
  const forget = button("tune-panel__forget", "Forget me");
  const summary = element("p", "tune-panel__summary");
  saved.append(summary, useLabel, exportButton, importLabel, forget);
  saved.hidden = true;
  panel.append(choices, rows, actions, saved);

  const faces = new Map<number, Captured[]>();
  let personal: PersonalModel | null = null;
  let engineReady: Engine | null = null;
  handle.ready.then((engine) => (engineReady = engine), () => {});

  function refresh(): void {
    const chosen = [...checks].filter(([, check]) => check.checked).map(([k]) => k);
    for (const row of Array.from(rows.children) as HTMLElement[]) if (!chosen.includes(Number(row.dataset.class))) row.remove();
    for (const k of chosen) if (!rows.querySelector(`[data-class="${k}"]`)) rows.append(expressionRow(k));
    for (const row of Array.from(rows.children) as HTMLElement[]) showFaces(row);
    const ready = chosen.filter((k) => (faces.get(k)?.length ?? 0) >= MIN_FACES);
    tune.disabled = chosen.length < 2 || ready.length !== chosen.length;
    tune.title = tune.disabled ? `Choose two or more expressions and capture at least ${MIN_FACES} faces of each` : "";
  }

  function showFaces(row: HTMLElement): void {
    const k = Number(row.dataset.class);
    const list = faces.get(k) ?? [];
    row.querySelector(".tune-panel__count")!.textContent = `${list.length} ${list.length === 1 ? "face" : "faces"}`;
    const strip = row.querySelector(".tune-panel__faces")!;
    strip.querySelectorAll("canvas").forEach(releaseCanvas);
    strip.replaceChildren(...list.map((face, i) => {
      const item = element("figure", "tune-panel__face");
      const remove = button("tune-panel__delete", "×");
      remove.setAttribute("aria-label", `delete ${EMOTIONS[k]} face ${i + 1}`);
      remove.addEventListener("click", () => {
        list.splice(i, 1);
        refresh();
        (row.querySelector(".tune-panel__delete") as HTMLElement | null ?? row.querySelector("button"))?.focus();
      });
      item.append(greyCanvas(face.pixels, 48), remove);
      return item;
    }));
  }

  function expressionRow(k: number): HTMLElement {
    const emotion = EMOTIONS[k];
    const row = element("div", "tune-panel__row");
    row.dataset.class = String(k);
    const header = element("h4", "", `${EMOJI[emotion]} ${emotion} `);
    header.append(element("span", "tune-panel__count"));
    const capture = button("tune-panel__capture", `Capture ${CAPTURE_SECONDS} s of ${emotion}`);
    const photosLabel = element("label", "tune-panel__photos");
    const photos = element("input", "");
    photos.type = "file";
    photos.accept = "image/*";
    photos.multiple = true;
    photos.setAttribute("aria-label", `photos of your ${emotion} face`);
    photosLabel.append(`Add ${emotion} photos… `, photos);
    row.append(header, capture, photosLabel, element("div", "tune-panel__faces"));
    capture.addEventListener("click", () => captureFromCamera(k, capture));
    photos.addEventListener("change", async () => {
      const files = Array.from(photos.files ?? []);
      photos.value = "";
      await addPhotos(k, files);
    });
    return row;
  }

  async function captureFromCamera(k: number, trigger: HTMLButtonElement): Promise<void> {
    const engine = await handle.ready;
    if (!navigator.mediaDevices?.getUserMedia) {
      status.textContent = "This browser gives this page no camera: add photos instead.";
      return;
    }
    trigger.disabled = true;
    let stream: MediaStream | null = null;
    try {
      stream = await navigator.mediaDevices.getUserMedia({video: {width: {ideal: 640}, height: {ideal: 480}, facingMode: "user"}, audio: false});
      const video = element("video", "");
      Object.assign(video, {muted: true, playsInline: true, srcObject: stream});
      await video.play();
      const canvas = element("canvas", "");
      const context = canvas.getContext("2d", {willReadFrequently: true})!;
      const list = faces.get(k) ?? [];
      faces.set(k, list);
      const until = performance.now() + CAPTURE_SECONDS * 1000;
      let found = 0, frames = 0;
      while (performance.now() < until) {
        if (video.videoWidth) {
          Object.assign(canvas, {width: video.videoWidth, height: video.videoHeight});
          context.drawImage(video, 0, 0);
          const image = {data: context.getImageData(0, 0, canvas.width, canvas.height).data, width: canvas.width, height: canvas.height};
          frames++;
          const face = await engine.serial(async () => largestFace(engine, image, "camera"));
          if (face) (list.push(face), found++);
          status.textContent = `Capturing ${EMOTIONS[k]}: ${found} faces…`;
          refresh();
        }
        await new Promise((resolve) => setTimeout(resolve, CAPTURE_EVERY_MS));
      }
      releaseCanvas(canvas);
      status.textContent = found ? `Captured ${found} ${EMOTIONS[k]} faces from ${frames} frames.` : `No face was found in ${frames} frames: face the camera, in good light, and try again.`;
    } catch (error) {
      status.textContent = `The camera could not be used: ${error instanceof Error ? error.message : String(error)}. Add photos instead.`;
    } finally {
      stream?.getTracks().forEach((track) => track.stop());
      trigger.disabled = false;
      refresh();
    }
  }

  async function addPhotos(k: number, files: File[]): Promise<void> {
    const engine = await handle.ready;
    const list = faces.get(k) ?? [];
    faces.set(k, list);
    for (const file of files) {
      try {
        const picture = await readPicture(file);
        const face = await engine.serial(async () => largestFace(engine, picture.image, "photo"));
        releaseCanvas(picture.canvas);
        if (face) list.push(face);
      } catch (error) {
        status.textContent = error instanceof PictureError ? error.message : `“${file.name}” could not be read: ${error}`;
      }
    }
    refresh();
  }

  function showSaved(): void {
    saved.hidden = personal === null;
    if (!personal) return;
    const tuned = personal.classes.map((k) => EMOTIONS[k]).join(", ");
    const accuracy = personal.before !== null && personal.after !== null
      ? ` On the faces it held back: ${Math.round(personal.before * 100)}% right before tuning, ${Math.round(personal.after * 100)}% after.`
      : "";
    summary.textContent = `A personal model for ${tuned} is saved in this browser (${new Date(personal.createdAt).toLocaleString()}).${accuracy}`;
  }

  async function setUse(on: boolean): Promise<void> {
    use.checked = on && personal !== null;
    await engineReady?.setPersonal(use.checked && personal ? {stats: personal.normalization, head: headOf(personal)} : null);
    panel.classList.toggle("is-personal", use.checked);
  }

  choices.addEventListener("change", refresh);
  use.addEventListener("change", () => setUse(use.checked));

  tune.addEventListener("click", async () => {
    const engine = await handle.ready;
    const classes = [...checks].filter(([, check]) => check.checked).map(([k]) => k);
    tune.disabled = true;
    status.textContent = "Tuning…";
    const started = performance.now();
    try {
      const captured = classes.flatMap((k) => faces.get(k)!.map((face) => ({input: face.input, label: k})));
      const result = await engine.tune(captured, classes);
      personal = {
        format: "fer-personal/1",
        model: engine.info.name,
        createdAt: new Date().toISOString(),
        classes,
        faces: Object.fromEntries(classes.map((k) => [EMOTIONS[k], faces.get(k)!.length])),
        before: result.before,
        after: result.after,
        normalization: result.stats,
        head: {inputs: result.head.inputs, classes: result.head.classes, kernel: Array.from(result.head.kernel), bias: Array.from(result.head.bias)}
      };
      await savePersonal(personal!);
      status.textContent = `Tuned in ${((performance.now() - started) / 1000).toFixed(1)} s on ${result.trained} views of ${captured.length - result.heldOut} faces, checked on ${result.heldOut} held back.`;
      showSaved();
      setUse(true);
      use.focus();
    } catch (error) {
      status.textContent = `Tuning failed: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      refresh();
    }
  });

  exportButton.addEventListener("click", () => {
    if (!personal) return;
    const url = URL.createObjectURL(new Blob([JSON.stringify(personal)], {type: "application/json"}));
    const link = element("a", "");
    link.href = url;
    link.download = `personal-${personal.model}.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });

  importInput.addEventListener("change", async () => {
    const file = importInput.files?.[0];
    importInput.value = "";
    if (!file) return;
    try {
      const engine = await handle.ready;
      personal = validatePersonalModel(JSON.parse(await file.text()), {model: engine.info.name, ...engine.headShape});
      await savePersonal(personal);
      status.textContent = `Imported the personal model of “${file.name}”.`;
      showSaved();
      setUse(true);
    } catch (error) {
      status.textContent = `“${file.name}” could not be imported: ${error instanceof Error ? error.message : String(error)}`;
    }
  });

  forget.addEventListener("click", async () => {
    try {
      await forgetPersonal();
      personal = null;
      faces.clear();
      setUse(false);
      showSaved();
      status.textContent = "Forgotten: the personal model and the captured faces are deleted from this browser.";
      refresh();
      tune.focus();
    } catch (error) {
      status.textContent = `Could not forget: ${error instanceof Error ? error.message : String(error)}`;
    }
  });

  // A model saved on an earlier visit is offered, not switched on.
  handle.ready.then(async (engine) => {
    try {
      const stored = await loadPersonal();
      if (!stored) return;
      personal = validatePersonalModel(stored, {model: engine.info.name, ...engine.headShape});
      showSaved();
    } catch {
      // A personal model of another model, or no local database: nothing to offer.
    }
  }, () => {});
  refresh();
  return panel;
}
