// The classifier in the wild, from the pipeline bench's committed aggregates (src/data/classifier-pipeline.json,
// written by `npm run bench -- pipeline`): how often the page finds a face and reads it right, by face height and
// by tilt, against the model on the same faces' original crops; false detections; the camera loop's frame rate.
import {html} from "htl";

interface AccuracyRow {
  bucket: string;
  faces: number;
  original: number | null;
  originalFlip: number | null;
  photo: number | null;
  photoUpright: number | null;
  camera: number | null;
  photoRecall: number | null;
}

interface RecallRow {
  bucket: string;
  faces: number;
  found: number;
  recall: number | null;
}

interface DetectionSummary {
  bySize: RecallRow[];
  byTilt: RecallRow[];
  over100: RecallRow;
  falsePerEmptyFrame: number | null;
  emptyFramesWithFalse: number;
  emptyFrames: number;
}

interface CameraRun {
  fps: number | null;
  ms: Record<string, number | null>;
  facesShown: number;
  expected: number;
  error?: string;
}

export interface PipelineBench {
  command: string;
  date: string;
  commit: string | null;
  note: string;
  model: {name: string};
  scenes: {seed: number; faceScenes: number; emptyScenes: number; faces: number; backend: string};
  detection: {photo: DetectionSummary & {medianCropIou: number | null}; camera: DetectionSummary};
  accuracy: {bySize: AccuracyRow[]; byTilt100: AccuracyRow[]; over100: AccuracyRow; all: AccuracyRow};
  camera: {backends: Record<string, Record<string, CameraRun>>; scenes?: Record<string, {faces: number; sizes: string}>; discoverEvery?: number};
  timing: {photoDetectMs: number | null; cameraDetectMs: number | null};
}

const BACKEND_NAMES: Record<string, string> = {wasm: "WebAssembly", webgl: "WebGL", cpu: "CPU (JavaScript)"};

const percent = (value: number | null | undefined) => (value === null || value === undefined ? "–" : `${(100 * value).toFixed(1)}%`);
const number = (value: number | null | undefined, digits = 1) => (value === null || value === undefined ? "–" : value.toFixed(digits));

export interface TrustOptions {
  /** Largest gap (a share) below the model on the original crops still read "as on FER2013": a bucket holds ~100 faces, so a few points are noise. */
  within?: number;
  /** Largest gap still read "lower"; beyond it, "unreliable". */
  lower?: number;
}

/** Whether a bucket's photos can be trusted: the pipeline (misses counted as wrong) against the model on the same faces' original crops. */
export function trustOf(row: AccuracyRow, {within = 0.03, lower = 0.1}: TrustOptions = {}): "as on FER2013" | "lower" | "unreliable" | "–" {
  if (row.photo === null || row.originalFlip === null) return "–";
  const gap = row.originalFlip - row.photo;
  return gap <= within ? "as on FER2013" : gap <= lower ? "lower" : "unreliable";
}

function accuracyTable(rows: AccuracyRow[], {label, unit, trust}: {label: string; unit: string; trust: TrustOptions}): HTMLElement {
  return html`<table class="counts pipeline-table">
  <thead><tr>
    <th>${label}</th><th>faces</th><th>found (photo)</th><th>model on the original crops</th>
    <th>photo: found and read right</th><th>the same, not aligned</th><th>camera: found and read right</th><th class="pipeline-trust">photos here</th>
  </tr></thead>
  <tbody>${rows.map((row) => {
    const verdict = trustOf(row, trust);
    return html`<tr data-bucket=${row.bucket} data-trust=${verdict} class=${verdict === "unreliable" ? "highlight" : ""}>
      <td>${row.bucket}${unit}</td><td>${row.faces}</td><td>${percent(row.photoRecall)}</td><td>${percent(row.originalFlip)}</td>
      <td><strong>${percent(row.photo)}</strong></td><td>${percent(row.photoUpright)}</td><td>${percent(row.camera)}</td><td class="pipeline-trust">${verdict}</td>
    </tr>`;
  })}</tbody>
</table>`;
}

function recallTable(photo: RecallRow[], camera: RecallRow[], {label, unit}: {label: string; unit: string}): HTMLElement {
  return html`<table class="counts compact pipeline-table">
  <thead><tr><th>${label}</th><th>faces</th><th>photo finder</th><th>camera finder</th></tr></thead>
  <tbody>${photo.map((row, k) => html`<tr data-bucket=${row.bucket}>
    <td>${row.bucket}${unit}</td><td>${row.faces}</td><td>${percent(row.recall)}</td><td>${percent(camera[k]?.recall)}</td>
  </tr>`)}</tbody>
</table>`;
}

function cameraTable(backends: PipelineBench["camera"]["backends"]): HTMLElement {
  const stages = ["capture", "detect", "classify", "draw"];
  return html`<table class="counts compact pipeline-table">
  <thead><tr><th>backend</th><th>frames / s, one face</th><th>three faces</th><th>one far face</th>${stages.map((s) => html`<th>${s} ms</th>`)}</tr></thead>
  <tbody>${Object.entries(backends).map(([name, runs]) => html`<tr data-camera-backend=${name}>
    <td>${BACKEND_NAMES[name] ?? name}</td><td><strong>${number(runs.oneFace?.fps)}</strong></td><td>${number(runs.threeFaces?.fps)}</td><td>${number(runs.farFace?.fps)}</td>
    ${stages.map((s) => html`<td>${number(runs.oneFace?.ms[s])}</td>`)}
  </tr>`)}</tbody>
</table>`;
}

/** What the camera loop's scenes were, from the bench's record (older records lack it: nothing). */
function cameraScenesNote({scenes, discoverEvery}: PipelineBench["camera"]): HTMLElement | string {
  if (!scenes) return "";
  const far = scenes.farFace
    ? `, and one far face of ${scenes.farFace.sizes}, which only the slower back-camera pass finds, so the loop runs that pass on every frame while it is in view` +
      (discoverEvery ? ` (with only near faces in view it runs one frame in ${discoverEvery}, to notice someone farther away)` : "")
    : "";
  return html`<p class="pipeline-camera-scenes">A still 640 × 480 scene looped by the browser's fake camera: one face ${scenes.oneFace?.sizes ?? ""} tall, three of ${scenes.threeFaces?.sizes ?? ""}${far}. The stage times are the one-face loop's.</p>`;
}

/** The pipeline section's figures and tables; `trust` sets the gaps behind each bucket's verdict (trustOf). */
export function PipelineTables(data: PipelineBench, {trust = {}}: {trust?: TrustOptions} = {}): HTMLElement {
  const {scenes, detection, accuracy} = data;
  return html`<div class="pipeline-tables">
  <p>${scenes.faces.toLocaleString("en-US")} PrivateTest faces (never seen in training), pasted into ${scenes.faceScenes} generated 640 × 480 scenes of 1 to 4 faces, 40 to 456 pixels tall and tilted up to ±30°, plus ${scenes.emptyScenes} scenes with no face, went through this page's own code (${BACKEND_NAMES[scenes.backend] ?? scenes.backend}): find, align, crop, classify. A missed face counts as a wrong answer. The model on the same faces' original 48 × 48 crops is the ceiling. Each bucket holds about a hundred faces, so a few points either way are noise; a bucket reads "as on FER2013" within ${Math.round(100 * (trust.within ?? 0.03))} points of the ceiling, "unreliable" beyond ${Math.round(100 * (trust.lower ?? 0.1))}.</p>
  <div class="grid grid-cols-3 pipeline-cards">
    <div class="card"><h3>Faces 100 px and up, photos</h3><span class="big-number">${percent(accuracy.over100.photo)}</span><p>read right end to end, against ${percent(accuracy.over100.originalFlip)} on the original crops; ${percent(detection.photo.over100.recall)} found</p></div>
    <div class="card"><h3>False faces</h3><span class="big-number">${number(detection.photo.falsePerEmptyFrame === null ? null : 100 * detection.photo.falsePerEmptyFrame, 1)}</span><p>per 100 face-free pictures (photo finder); ${number(detection.camera.falsePerEmptyFrame === null ? null : 100 * detection.camera.falsePerEmptyFrame, 1)} per 100 camera frames</p></div>
    <div class="card"><h3>Camera, one face</h3><span class="big-number">${number(data.camera.backends.wasm?.oneFace?.fps)}</span><p>frames / s on WebAssembly at 640 × 480</p></div>
  </div>
  <h3>By face height</h3>
  ${accuracyTable(accuracy.bySize, {label: "face height", unit: " px", trust})}
  <h3>By tilt (faces 100 px and up)</h3>
  ${accuracyTable(accuracy.byTilt100, {label: "tilt", unit: "°", trust})}
  <h3>How often each finder finds a face</h3>
  <div class="pipeline-pair">
    ${recallTable(detection.photo.bySize, detection.camera.bySize, {label: "face height", unit: " px"})}
    ${recallTable(detection.photo.byTilt, detection.camera.byTilt, {label: "tilt (all sizes)", unit: "°"})}
  </div>
  <h3>The camera loop</h3>
  ${cameraTable(data.camera.backends)}
  ${cameraScenesNote(data.camera)}
  <p class="pipeline-source">Measured ${data.date}${data.commit ? ` at ${data.commit}` : ""} with <code>${data.command}</code> (model ${data.model.name}; scenes seeded ${scenes.seed}). ${data.note}.</p>
</div>`;
}
