// Camera mode: a requestAnimationFrame loop over the reader's camera that boxes and labels every face,
// smooths each face's probabilities over its own frames (IoU tracking, with a control), mirrors the main
// face's expression as an emoji, and shows frames per second and milliseconds per stage. Frames are read
// into canvases in this page and go nowhere else. The loop stops, and says why, when the camera's track ends
// (unplugged, taken by another app, revoked) or is muted, and while the page is hidden (it resumes on return).

import type {Engine} from "./engine.js";
import {BACKEND_LABELS} from "./engine.js";
import {EMOJI, EMOTIONS, type Emotion} from "../../lib/labels.js";
import {EMOTION_COLORS} from "../../lib/palette.js";
import {EMPTY_TRACKER, updateTracks, type Track, type TrackerState} from "../../lib/smoothing.js";
import {cropFace} from "../../lib/face-crop.js";
import {drawFaceBoxes, greyCanvas, saliencyCanvas} from "./draw.js";
import {EmotionBars, setFaceHooks, updateBars} from "./face-card.js";

const STAGES = ["capture", "detect", "classify", "draw"] as const;
type Stage = (typeof STAGES)[number];

/** What getUserMedia's failure means for the reader, and what to do. */
export function cameraErrorMessage(error: unknown): string {
  const name = (error as {name?: string})?.name ?? "";
  if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") {
    return "Camera access was refused. Allow the camera for this site (the icon in the address bar, or the browser's site settings), then press Start camera again. Photos work without it.";
  }
  if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError") {
    return "No camera was found. Connect one and press Start camera again, or use photos above.";
  }
  if (name === "NotReadableError" || name === "AbortError" || name === "TrackStartError") {
    return "The camera is busy or could not start (another application may be using it). Close it and press Start camera again.";
  }
  return `The camera could not start: ${error instanceof Error ? error.message : String(error)}`;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function topOf(probabilities: ArrayLike<number>): {top: Emotion; confidence: number} {
  let k = 0;
  for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[k]) k = i;
  return {top: EMOTIONS[k], confidence: probabilities[k]};
}

/** The camera panel; `invalidation` (Framework's) stops the camera when the cell is disposed. */
export function CameraPanel(handle: {ready: Promise<Engine>}, {invalidation}: {invalidation?: Promise<unknown>} = {}): HTMLElement {
  const panel = element("section", "camera-panel");
  const controls = element("div", "camera-panel__controls");
  const toggle = element("button", "camera-panel__toggle", "Start camera");
  toggle.type = "button";
  toggle.setAttribute("aria-pressed", "false");
  const smoothingLabel = element("label", "camera-panel__smoothing");
  const smoothingInput = element("input", "");
  Object.assign(smoothingInput, {type: "range", min: "0", max: "0.95", step: "0.05", value: "0.6"});
  const smoothingValue = element("output", "", "0.60");
  smoothingLabel.append("Smoothing ", smoothingInput, smoothingValue);
  smoothingLabel.title = "Weight of past frames in each face's probabilities: 0 shows every frame as it is";
  const whyLabel = element("label", "camera-panel__why");
  const whyInput = element("input", "");
  whyInput.type = "checkbox";
  whyLabel.append(whyInput, " Show why (Grad-CAM of the main face)");
  controls.append(toggle, smoothingLabel, whyLabel);

  const message = element("p", "camera-panel__message");
  message.setAttribute("role", "alert");
  const stage = element("div", "camera-panel__stage");
  const view = element("div", "camera-panel__view");
  const canvas = element("canvas", "camera-panel__canvas");
  canvas.width = 640;
  canvas.height = 480;
  canvas.setAttribute("aria-label", "camera view with the faces found");
  const idle = element("p", "camera-panel__idle", "The camera is off. Press Start camera: the video stays in this page, nothing is recorded or sent.");
  view.append(canvas, idle);

  const side = element("aside", "camera-panel__side");
  const mirror = element("div", "emoji-mirror");
  const mirrorEmoji = element("span", "emoji-mirror__emoji", "🙂");
  mirrorEmoji.setAttribute("aria-hidden", "true");
  const mirrorLabel = element("span", "emoji-mirror__label", "waiting for a face");
  mirror.append(mirrorEmoji, mirrorLabel);
  mirror.setAttribute("aria-live", "polite");
  const stats = element("dl", "camera-panel__stats");
  const statValues = new Map<string, HTMLElement>();
  for (const [key, label] of [["fps", "frames / s"], ...STAGES.map((s) => [s, `${s} ms`]), ["backend", "backend"]]) {
    const value = element("dd", "", "–");
    stats.append(element("dt", "", label), value);
    statValues.set(key, value);
  }
  const explainView = element("div", "camera-panel__explain");
  const faceList = element("div", "camera-panel__faces");
  side.append(mirror, stats, explainView);
  stage.append(view, side);
  panel.append(controls, message, stage, faceList);

  let smoothing = 0.6;
  smoothingInput.addEventListener("input", () => {
    smoothing = Number(smoothingInput.value);
    smoothingValue.textContent = smoothing.toFixed(2);
  });

  let stream: MediaStream | null = null;
  let video: HTMLVideoElement | null = null;
  let frameRequest = 0;
  let tracker: TrackerState = EMPTY_TRACKER;
  const faceElements = new Map<number, HTMLElement>();
  const averages = new Map<string, number>();
  let lastFrameEnd = 0;
  const capture = document.createElement("canvas");
  const captureContext = capture.getContext("2d", {willReadFrequently: true})!;
  const context = canvas.getContext("2d")!;

  function average(key: string, value: number): number {
    const previous = averages.get(key);
    const next = previous === undefined ? value : 0.9 * previous + 0.1 * value;
    averages.set(key, next);
    return next;
  }

  function showStats(times: Record<Stage, number>, backend: string): void {
    const now = performance.now();
    if (lastFrameEnd) statValues.get("fps")!.textContent = (1000 / average("interval", now - lastFrameEnd)).toFixed(1);
    lastFrameEnd = now;
    for (const s of STAGES) statValues.get(s)!.textContent = average(s, times[s]).toFixed(1);
    statValues.get("backend")!.textContent = backend;
  }

  function showFaces(tracks: Track[]): void {
    const seen = new Set<number>();
    tracks.forEach((track, i) => {
      seen.add(track.id);
      let item = faceElements.get(track.id);
      if (!item) {
        item = element("div", "face-result face-result--live");
        item.append(element("header", ""), EmotionBars(track.probabilities, {compact: true}));
        faceElements.set(track.id, item);
      }
      const {top, confidence} = topOf(track.probabilities);
      setFaceHooks(item, {top, confidence, box: track.box});
      item.style.setProperty("--color", EMOTION_COLORS[top]);
      item.querySelector("header")!.textContent = `Face ${i + 1} · ${EMOJI[top]} ${top} ${Math.round(confidence * 100)}%`;
      updateBars(item.querySelector<HTMLElement>(".emotion-bars")!, track.probabilities);
      if (faceList.children[i] !== item) faceList.insertBefore(item, faceList.children[i] ?? null);
    });
    for (const [id, item] of faceElements) {
      if (!seen.has(id)) {
        item.remove();
        faceElements.delete(id);
      }
    }
  }

  function showMirror(main: Track | undefined): void {
    if (!main) {
      mirror.classList.add("is-idle");
      mirrorLabel.textContent = "no face in view";
      return;
    }
    const {top, confidence} = topOf(main.probabilities);
    mirror.classList.remove("is-idle");
    mirror.style.setProperty("--color", EMOTION_COLORS[top]);
    if (mirrorEmoji.textContent !== EMOJI[top]) mirrorEmoji.textContent = EMOJI[top];
    mirrorLabel.textContent = `${top} ${Math.round(confidence * 100)}%`;
  }

  async function frame(engine: Engine): Promise<void> {
    if (!video || !stream) return;
    if (video.readyState < 2 || !video.videoWidth) {
      frameRequest = requestAnimationFrame(() => frame(engine).catch(fail));
      return;
    }
    const times = {} as Record<Stage, number>;
    const width = video.videoWidth, height = video.videoHeight;
    const t0 = performance.now();
    if (capture.width !== width || capture.height !== height) Object.assign(capture, {width, height});
    captureContext.drawImage(video, 0, 0, width, height);
    const image = {data: captureContext.getImageData(0, 0, width, height).data, width, height};
    const t1 = performance.now();
    times.capture = t1 - t0;
    const {matched, results} = await engine.serial(async () => {
      // The camera preset: the whole frame only, the back-camera pass only on frames that may hold a far face
      // (cameraNeedsBack in src/lib/face-finder.ts), one pass of the model per face, for frame rate.
      const detections = engine.detect(image, "camera", {track: true});
      const t2 = performance.now();
      times.detect = t2 - t1;
      const faces = await engine.faces(image, detections);
      times.classify = performance.now() - t2;
      const update = updateTracks(tracker, faces, {smoothing});
      tracker = update.state;
      return {matched: update.matched, results: faces};
    });
    if (!stream) return;
    const t3 = performance.now();
    if (canvas.width !== width || canvas.height !== height) Object.assign(canvas, {width, height});
    context.save();
    context.translate(width, 0);
    context.scale(-1, 1);
    context.drawImage(capture, 0, 0);
    context.restore();
    drawFaceBoxes(context, matched.map((track, i) => ({box: track.box, ...topOf(track.probabilities), tag: String(i + 1)})), {mirror: true, sourceWidth: width});
    showFaces(matched);
    // The main face is the largest: the one nearest the camera.
    let main = -1;
    matched.forEach((track, i) => {
      if (main < 0 || track.box.width * track.box.height > matched[main].box.width * matched[main].box.height) main = i;
    });
    showMirror(matched[main]);
    if (whyInput.checked && main >= 0) {
      const face = results[main];
      const k = EMOTIONS.indexOf(topOf(matched[main].probabilities).top);
      const saliency = await engine.serial(async () => engine.explain(face.input, k));
      explainView.replaceChildren(greyCanvas(face.pixels, 48), saliencyCanvas(face.pixels, saliency.map, saliency.size));
    } else if (explainView.childElementCount) {
      explainView.replaceChildren();
    }
    times.draw = performance.now() - t3;
    showStats(times, `${BACKEND_LABELS[engine.backend()]}${engine.personal() ? " · your personal model" : ""}`);
    frameRequest = requestAnimationFrame(() => frame(engine).catch(fail));
  }

  function fail(error: unknown): void {
    stop();
    message.textContent = `The camera loop stopped: ${error instanceof Error ? error.message : String(error)}`;
  }

  /** Set while the page is hidden with the camera on: it restarts when the page is shown again. */
  let resumeOnShow = false;

  function stop(): void {
    cancelAnimationFrame(frameRequest);
    const tracks = stream?.getTracks() ?? [];
    stream = null;
    for (const track of tracks) {
      track.removeEventListener("ended", onTrackEnded);
      track.removeEventListener("mute", onTrackMuted);
      track.stop();
    }
    stream = null;
    video = null;
    tracker = EMPTY_TRACKER;
    averages.clear();
    lastFrameEnd = 0;
    faceElements.clear();
    faceList.replaceChildren();
    explainView.replaceChildren();
    panel.classList.remove("is-running");
    toggle.textContent = "Start camera";
    toggle.setAttribute("aria-pressed", "false");
    showMirror(undefined);
    mirrorLabel.textContent = "waiting for a face";
  }

  function onTrackEnded(): void {
    stop();
    message.textContent = "The camera stopped (it was unplugged, another application took it, or the browser withdrew access). Press Start camera to use it again.";
  }

  function onTrackMuted(): void {
    stop();
    message.textContent = "The camera stopped sending pictures (the browser or the system paused it). Press Start camera to try again.";
  }

  function onVisibilityChange(): void {
    if (document.hidden && stream) {
      // A hidden page draws nothing: stop the loop and the camera rather than burn the processor.
      stop();
      resumeOnShow = true;
      message.textContent = "The camera paused while this page was hidden.";
    } else if (!document.hidden && resumeOnShow) {
      resumeOnShow = false;
      start();
    }
  }
  document.addEventListener("visibilitychange", onVisibilityChange);

  async function start(): Promise<void> {
    message.textContent = "";
    if (!navigator.mediaDevices?.getUserMedia) {
      message.textContent = "This browser gives this page no camera access (a camera needs an https:// or localhost address).";
      return;
    }
    toggle.disabled = true;
    toggle.textContent = "Starting…";
    try {
      const engine = await handle.ready;
      const media = await navigator.mediaDevices.getUserMedia({video: {width: {ideal: 640}, height: {ideal: 480}, facingMode: "user"}, audio: false});
      video = document.createElement("video");
      Object.assign(video, {muted: true, playsInline: true, srcObject: media});
      await video.play();
      stream = media;
      for (const track of media.getVideoTracks()) {
        track.addEventListener("ended", onTrackEnded);
        track.addEventListener("mute", onTrackMuted);
      }
      panel.classList.add("is-running");
      toggle.textContent = "Stop camera";
      toggle.setAttribute("aria-pressed", "true");
      frameRequest = requestAnimationFrame(() => frame(engine).catch(fail));
    } catch (error) {
      stop();
      message.textContent = cameraErrorMessage(error);
    } finally {
      // Disabling the focused button dropped focus to the page: give it back (now "Stop camera").
      const lost = document.activeElement === document.body || document.activeElement === toggle;
      toggle.disabled = false;
      if (lost) toggle.focus();
    }
  }

  toggle.addEventListener("click", () => {
    resumeOnShow = false;
    if (stream) stop();
    else start();
  });
  invalidation?.then(() => {
    document.removeEventListener("visibilitychange", onVisibilityChange);
    stop();
  });
  return panel;
}
