// The classifier page's browser entry: everything the page imports, bundled by the vendor step
// (training/vendor-classifier.ts) into src/vendor/classifier/app.js, since Framework 1.13 does not
// follow the `.ts` import specifiers our modules use. tfjs and face-api are passed in, never bundled here.

export {BACKEND_LABELS, BACKEND_ORDER, backendOrder, createEngine, webglRenderer, type Engine} from "./engine.ts";
export {StatusBar} from "./status-bar.ts";
export {UploadPanel} from "./upload-panel.ts";
export {CameraPanel} from "./camera-panel.ts";
// For the test that the browser and Node prepare a face identically.
export {cropFace} from "../../lib/face-crop.ts";
