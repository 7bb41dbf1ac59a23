// Loader: one greyscale PNG holding every face the explorer shows (see face-sprite.json for the layout).
// Built from the images at build time only: never committed (src/.observablehq/cache and dist/ are ignored).
import {encodeGreyPng, faceSpriteSheet, runLoader} from "../../tools/dataset-loaders.js";

runLoader(async () => encodeGreyPng(await faceSpriteSheet()));
