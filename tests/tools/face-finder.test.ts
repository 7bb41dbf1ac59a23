// The face finder as the classifier page builds it (src/lib/face-finder.ts, the weights in src/detectors), run
// in Node on tfjs's wasm backend over seeded scenes of PrivateTest faces (tools/scenes.ts): it finds them,
// its eye keypoints are the right way up, and the crops it leads to sit on the pasted faces. Needs FER2013
// (FER2013_PATH or data/fer2013); skipped without it. The full measurement is `npm run bench -- pipeline`.

import fs from "node:fs";
import path from "node:path";
import {createRequire} from "node:module";
import * as tf from "@tensorflow/tfjs";
import {setWasmPaths} from "@tensorflow/tfjs-backend-wasm";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {createFaceFinder, type FaceFinder, type ModelFiles} from "../../src/lib/face-finder.js";
import {cropFace} from "../../src/lib/face-crop.js";
import {squareIou} from "../../src/lib/face-align.js";
import {splitIndices} from "../../src/lib/dataset.js";
import {fer2013Available, loadFer2013} from "../../tools/fer2013.js";
import {faceSquareOf, makeScene, matches, permutation, type Bucket, type FacePool} from "../../tools/scenes.js";

const DETECTORS = path.resolve("src/detectors");

function detectorFiles(name: string): ModelFiles {
  const modelJson = JSON.parse(fs.readFileSync(path.join(DETECTORS, `${name}.json`), "utf8"));
  const weights = modelJson.weightsManifest
    .flatMap((group: {paths: string[]}) => group.paths)
    .map((file: string) => {
      const bytes = fs.readFileSync(path.join(DETECTORS, file));
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    });
  return {modelJson, weights};
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

describe.skipIf(!fer2013Available())("createFaceFinder on generated PrivateTest scenes (tfjs wasm in Node)", () => {
  let finder: FaceFinder;
  let pool: FacePool;
  const SEED = 11;

  beforeAll(async () => {
    const require = createRequire(import.meta.url);
    setWasmPaths(path.join(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + path.sep);
    if (!(await tf.setBackend("wasm"))) throw new Error("the tfjs wasm backend did not start");
    await tf.ready();
    finder = await createFaceFinder(tf, {short: detectorFiles("facemesh-detection-short"), back: detectorFiles("blazeface-back")});
    const dataset = await loadFer2013();
    pool = {pixels: dataset.pixels, labels: dataset.labels, indices: splitIndices(dataset, "PrivateTest")};
  });

  afterAll(() => finder?.dispose());

  /** Recall, median IoU of the crop's square with the pasted face's, and whether every nose lies below its eye line. */
  function measure(mode: "camera" | "photo", sizes: Bucket, scenes: number) {
    const perm = permutation(pool.indices.length, SEED);
    let found = 0, total = 0, noseBelowEyes = 0;
    const ious: number[] = [];
    for (let i = 0; i < scenes; i++) {
      const scene = makeScene(SEED, i, pool, perm, {faces: [1, 3], sizeBuckets: [sizes], maxTilt: 25});
      const detections = finder.detect(scene.image, mode);
      for (const face of scene.faces) {
        total++;
        const detection = detections.find((d) => matches(d.box, face));
        if (!detection) continue;
        found++;
        const crop = cropFace(scene.image, detection);
        expect(crop.pixels).toHaveLength(2304);
        ious.push(squareIou(crop.square!, faceSquareOf(face)));
        const [right, left, nose] = detection.keypoints;
        const angle = Math.atan2(left[1] - right[1], left[0] - right[0]);
        const mid = [(right[0] + left[0]) / 2, (right[1] + left[1]) / 2];
        if (-Math.sin(angle) * (nose[0] - mid[0]) + Math.cos(angle) * (nose[1] - mid[1]) > 0) noseBelowEyes++;
      }
    }
    return {recall: found / total, found, total, medianIou: median(ious), noseBelowEyes};
  }

  it("the camera preset finds at least 85% of faces 160-400 px tall (tilted up to 25 degrees), and crops sit on them (median IoU > 0.65)", () => {
    const result = measure("camera", [160, 400], 20);
    expect(result.total).toBeGreaterThanOrEqual(20);
    expect(result.recall, JSON.stringify(result)).toBeGreaterThanOrEqual(0.85);
    expect(result.medianIou, JSON.stringify(result)).toBeGreaterThan(0.65);
    expect(result.noseBelowEyes).toBe(result.found);
  });

  it("the photo preset finds at least 90% of faces 60-400 px tall (tilted up to 25 degrees), and crops sit on them (median IoU > 0.65)", () => {
    const result = measure("photo", [60, 400], 20);
    expect(result.total).toBeGreaterThanOrEqual(20);
    expect(result.recall, JSON.stringify(result)).toBeGreaterThanOrEqual(0.9);
    expect(result.medianIou, JSON.stringify(result)).toBeGreaterThan(0.65);
    expect(result.noseBelowEyes).toBe(result.found);
  });

  it("false detections stay rare: at most 2 in 20 face-free scenes for each preset (the bench measures the rate)", () => {
    const perm = permutation(pool.indices.length, SEED);
    const falses = {camera: 0, photo: 0};
    for (let i = 0; i < 20; i++) {
      const scene = makeScene(SEED, 1_000_000 + i, pool, perm, {faces: [0, 0]});
      for (const mode of ["camera", "photo"] as const) falses[mode] += finder.detect(scene.image, mode).length;
    }
    expect(falses.camera).toBeLessThanOrEqual(2);
    expect(falses.photo).toBeLessThanOrEqual(2);
  });
});
