// The classifier page's compute, with no UI: picks a tfjs backend (WebGL, else wasm, else cpu), loads the
// BlazeFace face finder (src/lib/face-finder.ts) and our default model from the site's own files, and turns a
// picture or a video frame into faces with probabilities: find -> align by the eyes -> FER2013 crop ->
// classify (photos average each face with its mirror image; the camera takes one pass). Everything runs in
// the page; nothing is sent anywhere.

import type * as TF from "@tensorflow/tfjs";
import {EMOTIONS, NUM_CLASSES, type Emotion} from "../../lib/labels.js";
import {PHOTO_CROP_SCALES, cropFace, type Box, type FaceCrop, type RgbaImage} from "../../lib/face-crop.js";
import {createFaceFinder, type DetectMode, type DetectOptions, type FaceDetection, type FaceFinder} from "../../lib/face-finder.js";
import {flipBatch} from "../../lib/augment.js";
import {headLogits, type LinearHead} from "../../lib/personal-head.js";
import {featureNetwork, tunePersonal, type FeatureNetwork, type NormStats, type PersonalTuning} from "../../lib/personal-tuning.js";
import {explainClass, type Saliency} from "../../lib/saliency.js";
import {foldBatchNorm} from "../../lib/fold-batch-norm.js";
import {logitsModel, softmaxRows} from "../../lib/logits-model.js";
import {modelFromArtifacts} from "../../lib/model-artifacts.js";
import {temperatureOf, withTemperature, type Evaluation, type ModelMetadata} from "../../lib/model-folder.js";
import {IMAGE_SIZE} from "../../lib/dataset.js";

type Tf = typeof TF;

export type BackendName = "webgl" | "wasm" | "cpu";
/** WebGL first (the GPU when there is one), then WebAssembly, then plain JavaScript. */
export const BACKEND_ORDER: readonly BackendName[] = ["webgl", "wasm", "cpu"];
export const BACKEND_LABELS: Record<BackendName, string> = {webgl: "WebGL", wasm: "WebAssembly", cpu: "CPU (JavaScript)"};

/** Renderers that draw WebGL on the processor: there tfjs's WebGL backend is far slower than WebAssembly. */
export const SOFTWARE_WEBGL = /swiftshader|llvmpipe|softpipe|software|microsoft basic render/i;

/** The WebGL renderer's name ("ANGLE (NVIDIA …)", "… SwiftShader …"), or null when the page gets no WebGL. */
export function webglRenderer(): string | null {
  const canvas = document.createElement("canvas");
  const gl = (canvas.getContext("webgl2") ?? canvas.getContext("webgl")) as WebGLRenderingContext | null;
  if (!gl) return null;
  // Browsers report "WebKit WebGL" as RENDERER; the debug extension, where offered, names the real one.
  const debug = gl.getExtension("WEBGL_debug_renderer_info");
  const renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension("WEBGL_lose_context")?.loseContext();
  return renderer;
}

/**
 * The order in which to try backends: WebGL first, unless its renderer is software (no GPU: the
 * processor emulates one), where WebAssembly is an order of magnitude faster. `preferred` (the page's
 * ?backend= parameter) goes first whatever the renderer.
 */
export function backendOrder(renderer: string | null, preferred?: string | null): {order: BackendName[]; note: string | null} {
  let order = [...BACKEND_ORDER];
  let note: string | null = null;
  if (renderer && SOFTWARE_WEBGL.test(renderer)) {
    order = ["wasm", "webgl", "cpu"];
    const name = renderer.match(/swiftshader|llvmpipe|softpipe/i)?.[0] ?? "software";
    note = `WebGL has no graphics card here (${name} emulates one on the processor), so WebAssembly, far faster in that case, runs by default.`;
  }
  if (preferred && (BACKEND_ORDER as readonly string[]).includes(preferred)) {
    order = [preferred as BackendName, ...order.filter((name) => name !== preferred)];
    note = null;
  }
  return {order, note};
}

/** A Framework FileAttachment, or anything else that can be read as JSON or bytes. */
export interface Attachment {
  json(): Promise<any>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface EngineFiles {
  model: Attachment;
  weights: Attachment;
  info: Attachment;
  /** BlazeFace short range and "back", and FaceMesh, the second look (src/detectors/, SOURCE.txt there): model.json and its weights each. */
  detectorShort: {model: Attachment; weights: Attachment};
  detectorBack: {model: Attachment; weights: Attachment};
  faceCheck: {model: Attachment; weights: Attachment};
  expressionManifest: Attachment;
  expressionWeights: Attachment;
}

/** The part of @vladmandic/face-api the page uses: its expression model, for comparison (bench). */
export interface FaceApi {
  nets: {
    faceExpressionNet: {
      loadFromWeightMap(map: TF.NamedTensorMap): void;
      predictExpressions(input: unknown): Promise<unknown>;
    };
  };
}

/** What model-info.json (staged by tools/stage-classifier.ts) says about the default model. */
export interface ModelInfo {
  name: string;
  models: string[];
  metadata: ModelMetadata | null;
  evaluation: Evaluation | null;
}

/** How faces are read: mirror averaging, and the crop sizes (face-crop.ts's PHOTO_CROP_SCALES) averaged. */
export interface ReadOptions {
  flip?: boolean;
  scales?: readonly number[];
}

/**
 * A photo is not time-critical: each face is read at three crop sizes, each as it is and mirrored, and the six
 * averaged. The camera reads one crop, one pass.
 */
export const PHOTO_READING: ReadOptions = {flip: true, scales: PHOTO_CROP_SCALES};

/** A face to classify: a detection (box and eye keypoints), or null for the whole picture. */
export type FaceInput = FaceDetection | null;

/** One detected (or whole-picture) face with what the model made of it. */
export interface FaceResult extends FaceCrop {
  /** The detector's face box in source-picture pixels; the centre square when the whole picture is one face. */
  box: Box;
  /** Detector confidence, null for a whole-picture face. */
  score: number | null;
  probabilities: Float32Array;
  top: Emotion;
  confidence: number;
  /** Whether the probabilities average the face and its mirror image (photos), or come from one pass (camera). */
  flipAveraged: boolean;
  /** Crop sizes averaged (photos: PHOTO_CROP_SCALES; camera: 1). */
  cropSizes: number;
  /** Whether the reader's personal model read it ("Tune to me"), rather than the shipped one. */
  personal: boolean;
}

export interface Engine {
  tf: Tf;
  info: ModelInfo;
  model: TF.LayersModel;
  /** The backend running now. */
  backend(): BackendName;
  /** Backends that were tried and failed, with why: shown to the reader. */
  failures: {backend: BackendName; reason: string}[];
  /** Why the backend order differs from WebGL first, if it does. */
  note: string | null;
  /** Runs jobs one at a time, so a backend switch never lands in the middle of a frame. */
  serial<T>(job: () => Promise<T>): Promise<T>;
  /** Switches backend (warming it up); on failure keeps the current one and throws. */
  setBackend(name: BackendName): Promise<BackendName>;
  /**
   * Faces in an RGBA picture: "photo" looks for small faces too, "camera" only on the whole frame (faster);
   * `track` (a camera loop) reuses the previous frame's face check for faces still in place.
   */
  detect(image: RgbaImage, mode?: DetectMode, options?: DetectOptions): FaceDetection[];
  /** The network's class probabilities per face input; with `flip`, averaged with the mirror image's. Not
   * calibrated: `faces` and `facesFromCrops` apply the model's temperature after averaging a face's views. */
  classify(inputs: Float32Array[], options?: {flip?: boolean}): Promise<Float32Array[]>;
  /**
   * Aligns, crops and classifies the given faces (null: the whole picture) of one RGBA picture; `scales` reads
   * each detected face at several crop sizes (PHOTO_READING), averaged.
   */
  faces(image: RgbaImage, faces: FaceInput[], options?: ReadOptions): Promise<FaceResult[]>;
  /** Classifies faces cropped earlier (cropFace, with its views if any), with the detections they came from. */
  facesFromCrops(crops: FaceCrop[], faces: FaceInput[], options?: {flip?: boolean}): Promise<FaceResult[]>;
  /** How the photo panel reads a face (also what the pipeline benchmark replays). */
  photoReading: ReadOptions;
  explain(input: Float32Array, classIndex: number): Saliency;
  /** The last layer's shape (penultimate features x classes): what a personal model must fit. */
  headShape: {inputs: number; classes: number};
  /** "Tune to me": a personal model from labelled faces (src/lib/personal-tuning.ts); the shipped model is untouched. */
  tune(faces: {input: Float32Array; label: number}[], classes: number[]): Promise<PersonalTuning>;
  /** Whether the reader's personal model reads the faces now (camera and photos). */
  personal(): boolean;
  /** Uses a personal model (its batch-norm statistics and last layer) from now on; null: the shipped model again. */
  setPersonal(model: {stats: NormStats[]; head: LinearHead} | null): Promise<void>;
  /** face-api's own expression model on 112x112 RGB face crops, loaded on first use (for comparison). */
  faceApiExpressions(faces: TF.Tensor3D[]): Promise<Float32Array[]>;
}

/** face-api's expression labels, in our EMOTIONS order. */
const FACE_API_EXPRESSIONS: Record<Emotion, string> = {
  angry: "angry", disgust: "disgusted", fear: "fearful", happy: "happy", sad: "sad", surprise: "surprised", neutral: "neutral"
};

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** The part of a detector box inside the picture (boxes of faces at the edge can stick out of it). */
function clampBox(box: Box, {width, height}: {width: number; height: number}): Box {
  const x = Math.max(0, box.x), y = Math.max(0, box.y);
  return {x, y, width: Math.min(width, box.x + box.width) - x, height: Math.min(height, box.y + box.height) - y};
}

async function weightMap(tf: Tf, manifest: Attachment, weights: Attachment): Promise<TF.NamedTensorMap> {
  const [groups, data] = await Promise.all([manifest.json(), weights.arrayBuffer()]);
  return tf.io.decodeWeights(data, (groups as TF.io.WeightsManifestConfig).flatMap((group) => group.weights));
}

/** Loads the detector and the model, and settles on the first backend of `backends` that runs them. */
export async function createEngine({
  tf,
  faceapi,
  files,
  backends = BACKEND_ORDER,
  note = null
}: {
  tf: Tf;
  faceapi: FaceApi;
  files: EngineFiles;
  /** Tried in this order until one runs the model and the detector. */
  backends?: readonly BackendName[];
  note?: string | null;
}): Promise<Engine> {
  const [modelJson, weights, info, shortJson, shortWeights, backJson, backWeights, checkJson, checkWeights] = await Promise.all([
    files.model.json(),
    files.weights.arrayBuffer(),
    files.info.json() as Promise<ModelInfo>,
    files.detectorShort.model.json(),
    files.detectorShort.weights.arrayBuffer(),
    files.detectorBack.model.json(),
    files.detectorBack.weights.arrayBuffer(),
    files.faceCheck.model.json(),
    files.faceCheck.weights.arrayBuffer()
  ]);
  const failures: Engine["failures"] = [];
  let expressionNetLoaded: Promise<void> | null = null;

  async function initialise(name: BackendName): Promise<boolean> {
    try {
      if (!(await tf.setBackend(name))) throw new Error(`${BACKEND_LABELS[name]} is not available in this browser`);
      await tf.ready();
      return true;
    } catch (error) {
      failures.push({backend: name, reason: message(error)});
      return false;
    }
  }

  // A backend must run before the first tensor exists: tfjs would otherwise start its own favourite,
  // and fail outright when that one (wasm) initialises asynchronously.
  let candidates = [...backends];
  while (candidates.length && !(await initialise(candidates[0]))) candidates = candidates.slice(1);
  if (!candidates.length) throw new Error(`no tfjs backend works here: ${failures.map((f) => `${f.backend}: ${f.reason}`).join("; ")}`);

  const finder: FaceFinder = await createFaceFinder(tf, {
    short: {modelJson: shortJson, weights: shortWeights},
    back: {modelJson: backJson, weights: backWeights},
    check: {modelJson: checkJson, weights: checkWeights}
  });
  const trained = await modelFromArtifacts(tf, {modelJson, weightData: weights, source: `model ${info.name}`});
  // The same function in fewer ops: batch norms folded into their convolutions (src/lib/fold-batch-norm.ts).
  const model = foldBatchNorm(tf, trained);
  const outputs = model.outputs[0].shape[1];
  if (outputs !== NUM_CLASSES) throw new Error(`model ${info.name} has ${outputs} outputs, expected ${NUM_CLASSES} (${EMOTIONS.join(", ")})`);
  // Classification runs to the logits and takes the softmax of 7 numbers in JavaScript (src/lib/logits-model.ts);
  // Grad-CAM keeps the probability model.
  const scorer = logitsModel(tf, model);
  const modelTemperature = temperatureOf(info.metadata);
  // "Tune to me": a personal network (the reader's batch-norm statistics) and last layer, while one is set.
  const artifacts = {modelJson, weightData: weights};
  const lastKernel = model.layers[model.layers.length - 1].getWeights()[0];
  const headShape = {inputs: lastKernel.shape[0] as number, classes: lastKernel.shape[1] as number};
  let personal: {network: FeatureNetwork; head: LinearHead} | null = null;

  // A backend counts as working once the model and the detector have both run on it: WebGL can
  // initialise and still fail on its first shader.
  async function warmUp(): Promise<void> {
    // The model classify runs; Grad-CAM's probability model shares its convolutions.
    tf.tidy(() => ((scorer ?? model).predict(tf.zeros([1, IMAGE_SIZE, IMAGE_SIZE, 1])) as TF.Tensor).dataSync());
    // WebGL compiles a shader per batch shape: warming the photo mode's batches spares the first photo that wait.
    // WebAssembly and CPU compile nothing, and the photo mode's passes cost one photo's time (seconds on CPU).
    finder.warmUp({shapes: tf.getBackend() === "webgl"});
  }

  async function tryBackend(name: BackendName, {initialised = false} = {}): Promise<boolean> {
    if (!initialised && !(await initialise(name))) return false;
    try {
      await warmUp();
      return true;
    } catch (error) {
      failures.push({backend: name, reason: message(error)});
      return false;
    }
  }

  let chosen: BackendName | null = null;
  for (const [k, name] of candidates.entries()) {
    if (await tryBackend(name, {initialised: k === 0})) {
      chosen = name;
      break;
    }
  }
  if (!chosen) throw new Error(`no tfjs backend works here: ${failures.map((f) => `${f.backend}: ${f.reason}`).join("; ")}`);

  async function classify(inputs: Float32Array[], {flip = false}: {flip?: boolean} = {}): Promise<Float32Array[]> {
    if (inputs.length === 0) return [];
    const size = IMAGE_SIZE * IMAGE_SIZE;
    const batch = new Float32Array(inputs.length * size);
    inputs.forEach((input, i) => batch.set(input, i * size));
    // With flip, one batch holds the faces and their mirror images: one model call either way.
    const all = flip ? Float32Array.from([...batch, ...flipBatch(batch)]) : batch;
    const count = all.length / size;
    let values: Float32Array;
    if (personal) {
      // The reader's own last layer on the shipped network's features.
      const split = Array.from({length: count}, (_, i) => all.subarray(i * size, (i + 1) * size));
      values = softmaxRows(headLogits(personal.head, personal.network.features(split)), NUM_CLASSES);
    } else {
      const output = tf.tidy(() => (scorer ?? model).predict(tf.tensor4d(all, [count, IMAGE_SIZE, IMAGE_SIZE, 1])) as TF.Tensor);
      // A synchronous read of 7 numbers per face: the asynchronous one polls a WebGL fence on timers, which
      // costs more than the read itself (5 ms of 43 per face with software WebGL).
      const read = output.dataSync() as Float32Array;
      output.dispose();
      values = scorer ? softmaxRows(read, NUM_CLASSES) : read;
    }
    return inputs.map((_, i) => {
      const plain = values.slice(i * NUM_CLASSES, (i + 1) * NUM_CLASSES);
      if (!flip) return plain;
      const mirrored = values.subarray((inputs.length + i) * NUM_CLASSES, (inputs.length + i + 1) * NUM_CLASSES);
      return plain.map((p, k) => (p + mirrored[k]) / 2);
    });
  }

  async function facesFromCrops(crops: FaceCrop[], faces: FaceInput[], {flip = false}: {flip?: boolean} = {}, image?: {width: number; height: number}): Promise<FaceResult[]> {
    // Every crop size of every face in one model call; each face's sizes then averaged.
    const inputs = crops.map((crop) => [crop.input, ...(crop.views ?? [])]);
    const flat = await classify(inputs.flat(), {flip});
    // The shipped model's calibrated temperature (npm run calibration), after the views are averaged as in
    // npm run evaluate; a personal last layer was fitted to the reader's labels and is its own calibration.
    const temperature = personal ? 1 : modelTemperature;
    let next = 0;
    const probabilities = inputs.map((views) => {
      const own = flat.slice(next, (next += views.length));
      return withTemperature(Float32Array.from({length: NUM_CLASSES}, (_, k) => own.reduce((sum, p) => sum + p[k], 0) / own.length), temperature);
    });
    return crops.map((crop, i) => {
      const p = probabilities[i];
      const k = argmax(p);
      const detected = faces[i]?.box ?? null;
      const box = detected && image ? clampBox(detected, image) : (detected ?? crop.crop);
      return {...crop, box, score: faces[i]?.score ?? null, probabilities: p, top: EMOTIONS[k], confidence: p[k], flipAveraged: flip, cropSizes: inputs[i].length, personal: personal !== null};
    });
  }

  let queue: Promise<unknown> = Promise.resolve();
  function serial<T>(job: () => Promise<T>): Promise<T> {
    const run = queue.then(job, job);
    queue = run.catch(() => undefined);
    return run;
  }

  const engine: Engine = {
    tf,
    info,
    model,
    failures,
    note,
    backend: () => tf.getBackend() as BackendName,
    serial,
    setBackend: (name) =>
      serial(async () => {
        const previous = tf.getBackend() as BackendName;
        if (name === previous) return name;
        if (await tryBackend(name)) return name;
        await tf.setBackend(previous);
        throw new Error(`could not switch to ${BACKEND_LABELS[name]}: ${failures[failures.length - 1]?.reason}`);
      }),
    detect: (image, mode = "camera", options) => finder.detect(image, mode, options),
    classify,
    faces: (image, faces, {flip = false, scales = [1]} = {}) => facesFromCrops(faces.map((face) => cropFace(image, face, {scales})), faces, {flip}, image),
    facesFromCrops: (crops, faces, options) => facesFromCrops(crops, faces, options),
    photoReading: PHOTO_READING,
    explain: (input, classIndex) => explainClass(tf, model, input, classIndex),
    headShape,
    tune: (faces, classes) => serial(() => tunePersonal(tf, artifacts, faces, {classes})),
    personal: () => personal !== null,
    setPersonal: (chosen) =>
      serial(async () => {
        if (chosen && (chosen.head.inputs !== headShape.inputs || chosen.head.classes !== headShape.classes)) {
          throw new Error(`a personal layer of ${chosen.head.inputs} x ${chosen.head.classes} does not fit ${info.name} (${headShape.inputs} x ${headShape.classes})`);
        }
        const network = chosen ? await featureNetwork(tf, artifacts, chosen.stats) : null;
        personal?.network.dispose();
        personal = chosen && network ? {network, head: chosen.head} : null;
      }),
    async faceApiExpressions(faces) {
      expressionNetLoaded ??= weightMap(tf, files.expressionManifest, files.expressionWeights).then((map) =>
        faceapi.nets.faceExpressionNet.loadFromWeightMap(map)
      );
      await expressionNetLoaded;
      const results: Float32Array[] = [];
      for (const face of faces) {
        const expressions = (await faceapi.nets.faceExpressionNet.predictExpressions(face)) as Record<string, number>;
        results.push(Float32Array.from(EMOTIONS, (emotion) => expressions[FACE_API_EXPRESSIONS[emotion]]));
      }
      return results;
    }
  };
  return engine;
}
