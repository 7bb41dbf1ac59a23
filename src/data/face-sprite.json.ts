// Loader: the index of the face sprite sheet (face-sprite.png): where each sampled, duplicate and
// near-blank face sits, with its split, class and file id. Built from the images, never committed.
import {faceSpriteSheet, runLoader} from "../../tools/dataset-loaders.js";

runLoader(async () => {
  const {pixels: _pixels, ...index} = await faceSpriteSheet();
  return JSON.stringify(index);
});
