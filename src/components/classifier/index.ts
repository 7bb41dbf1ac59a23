// The classifier page's browser entry: everything src/pages/classifier.md imports. tfjs and face-api are
// passed in (the vendored bundles of src/vendor/tfjs.js), never imported here.

export {BACKEND_LABELS, BACKEND_ORDER, backendOrder, createEngine, webglRenderer, type Engine} from "./engine.js";
export {StatusBar} from "./status-bar.js";
export {UploadPanel} from "./upload-panel.js";
export {CameraPanel} from "./camera-panel.js";
export {TunePanel} from "./tune-panel.js";
// For the test that the browser and Node prepare a face identically.
export {cropFace} from "../../lib/face-crop.js";
