// A tiny, learnable stand-in for FER2013 (hidden `--synthetic N` flag of the CLIs), so tests exercise the
// real training and evaluation paths without the dataset: class k is a grey level set by k (which no flip,
// shift or rotation changes) with seeded noise and a bright square.

import {IMAGE_PIXELS, IMAGE_SIZE, type Fer2013Dataset} from "../src/lib/dataset.js";
import {NUM_CLASSES, SPLITS} from "../src/lib/labels.js";
import {Random} from "../src/lib/random.js";

/** `perSplit` faces in each of Training, PublicTest and PrivateTest, labels cycling through the classes. */
export function syntheticDataset(perSplit: number, seed = 7): Fer2013Dataset {
  const random = new Random(seed);
  const count = perSplit * SPLITS.length;
  const pixels = new Uint8Array(count * IMAGE_PIXELS);
  const labels = new Uint8Array(count);
  const splits = new Uint8Array(count);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % NUM_CLASSES;
    labels[i] = label;
    splits[i] = Math.floor(i / perSplit);
    ids.push(`synthetic:${i}`);
    const face = pixels.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS);
    for (let p = 0; p < IMAGE_PIXELS; p++) face[p] = 20 + 30 * label + random.int(24);
    const top = random.int(IMAGE_SIZE - 12);
    const left = random.int(IMAGE_SIZE - 12);
    for (let y = top; y < top + 12; y++) for (let x = left; x < left + 12; x++) face[y * IMAGE_SIZE + x] = 250;
  }
  return {pixels, labels, splits, ids};
}
