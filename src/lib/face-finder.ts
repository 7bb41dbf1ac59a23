// The classifier page's face finder, chosen by measurement (npm run bench -- pipeline; the classifier page
// shows the tables): BlazeFace short range on the whole picture for the camera (12-15 ms a 640x480 frame on
// WebAssembly; faces from ~160 px up), and for photos the BlazeFace "back" model on the whole picture plus the
// short-range model on 15 zoomed tiles (5 x 3 of 0.375 of the longer side), merged by non-maximum suppression
// (faces from ~60 px up, ~10x the camera's time). face-api's tiny face detector, the page's earlier choice, found
// under 80% of faces at any size even with six input sizes merged. Pure: tfjs is passed in.

import type * as TF from "@tensorflow/tfjs";
import {detectFaces, letterbox, loadBlazeFace, suppress, tiles, type BlazeFace, type FaceDetection, type ModelFiles} from "./blazeface.js";
import type {RgbaImage} from "./image.js";

export type {FaceDetection, ModelFiles};

export type DetectMode = "camera" | "photo";

/** Score thresholds chosen on the benchmark's PrivateTest scenes; the tile threshold also keeps face-api's demo photos clean. */
export const FINDER_PRESETS = {
  camera: {shortThreshold: 0.5},
  /** Tiles as fractions of the picture's longer side: 240 and 120 px in a 640x480 frame (15 tiles, 5 x 3). */
  photo: {backThreshold: 0.55, tileThreshold: 0.7, tileSide: 0.375, tileOverlap: 0.1875}
} as const;

export interface FaceFinder {
  /** Faces in a picture, best first; "photo" also looks for small faces, "camera" only on the whole frame. */
  detect(image: RgbaImage, mode?: DetectMode): FaceDetection[];
  dispose(): void;
}

export async function createFaceFinder(tf: typeof TF, files: {short: ModelFiles; back: ModelFiles}): Promise<FaceFinder> {
  const short: BlazeFace = await loadBlazeFace(tf, files.short);
  const back: BlazeFace = await loadBlazeFace(tf, files.back);
  return {
    detect(image, mode = "camera") {
      if (mode === "camera") return detectFaces(short, image, {passes: [letterbox(image)], scoreThreshold: FINDER_PRESETS.camera.shortThreshold});
      const preset = FINDER_PRESETS.photo;
      const whole = detectFaces(back, image, {passes: [letterbox(image)], scoreThreshold: preset.backThreshold});
      const long = Math.max(image.width, image.height);
      const small = detectFaces(short, image, {passes: tiles(image, preset.tileSide * long, preset.tileOverlap * long), scoreThreshold: preset.tileThreshold});
      return suppress([...whole, ...small], {iouThreshold: 0.3, nms: "hard"});
    },
    dispose() {
      short.dispose();
      back.dispose();
    }
  };
}
