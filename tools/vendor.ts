// Pre-bundles the browser libraries that Framework cannot bundle itself (tfjs, arquero) into
// plain ESM modules under src/vendor/.
// Framework's own rollup breaks tfjs (seedrandom's `alea`) and leaves `fs` / `node:stream`
// imports behind; esbuild with platform "browser" honours the packages'
// `browser` fields. Outputs are rewritten only when their bytes change so `npm run dev` does not reload.
//
// It also seeds Framework's npm version cache (src/.observablehq/cache/_npm/NAME@VERSION/) with the
// versions installed in node_modules: Framework's client bundles name a dozen optional libraries by
// `npm:` specifier and, on a cold build, ask registry.npmjs.org for their latest version. Seeding makes
// the build work with no network at all; nothing is downloaded either way, since our pages import
// everything by bare specifier from node_modules.

import {build} from "esbuild";
import {existsSync, mkdirSync, readFileSync, renameSync, writeFileSync} from "node:fs";
import {dirname, join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {stageClassifierAssets} from "./stage-classifier.js";
import {parseFlags, runCli} from "./cli.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const VENDOR_DIR = join(ROOT, "src", "vendor");
const NPM_CACHE_DIR = join(ROOT, "src", ".observablehq", "cache", "_npm");

const WASM_FILES = ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm-threaded-simd.wasm"];

// The `import.meta.resolve` calls survive esbuild untouched. Framework copies a bare-specifier
// resolve of a non-JS file from node_modules into dist/_node/ and rewrites the call to that copy;
// a relative one ("./x.wasm") in an imported module would be rewritten but never copied.
const TFJS_ENTRY = `
import * as tf from "@tensorflow/tfjs";
import {setWasmPaths} from "@tensorflow/tfjs-backend-wasm";
setWasmPaths({
${WASM_FILES.map((f) => `  ${JSON.stringify(f)}: import.meta.resolve(${JSON.stringify(`@tensorflow/tfjs-backend-wasm/dist/${f}`)}),`).join("\n")}
});
export {tf};
// face-api's no-bundle build imports tfjs by path; bundled here it shares this tfjs (one engine, one backend).
export * as faceapi from "@vladmandic/face-api/dist/face-api.esm-nobundle.js";
/** The backends this bundle registers, fastest first on a typical laptop without a GPU driver. */
export const BACKENDS = ["wasm", "webgl", "cpu"];
/** Switches to the first backend of \`preferred\` that initialises, and returns its name. */
export async function useBackend(preferred = BACKENDS) {
  for (const name of preferred) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
    } catch {
      // a backend that fails to initialise (no WebGL, no WebAssembly) is skipped
    }
  }
  throw new Error(\`no tfjs backend initialised; tried \${preferred.join(", ")}\`);
}
`;

const ARQUERO_ENTRY = `export * from "arquero";\n`;

/** The libraries Framework's client.js and stdlib.js name by `npm:` specifier (seen in a cold build's log). */
const FRAMEWORK_NPM_LIBRARIES = [
  "@observablehq/plot", "@observablehq/sample-datasets", "apache-arrow", "arquero", "d3", "d3-dsv", "echarts",
  "htl", "leaflet", "lodash", "mapbox-gl", "parquet-wasm", "react", "react-dom", "topojson-client"
];
// A fixed, plausible version for libraries that are not installed: the directory only has to exist.
const FALLBACK_VERSION = "0.0.0-offline";

async function bundle(entry: string, outfile: string): Promise<boolean> {
  const result = await build({
    stdin: {contents: entry, resolveDir: VENDOR_DIR, sourcefile: outfile, loader: "js"},
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "none",
    define: {"process.env.NODE_ENV": '"production"'},
    logLevel: "error"
  });
  return writeIfChanged(join(VENDOR_DIR, outfile), result.outputFiles[0].contents);
}

// Through a temp file and a rename: two builds may run the vendor step at once (the e2e tests do),
// and a build must never read a half-written bundle.
function writeIfChanged(path: string, contents: Uint8Array): boolean {
  if (existsSync(path) && Buffer.compare(readFileSync(path), contents) === 0) return false;
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, contents);
  renameSync(temp, path);
  return true;
}

function installedVersion(name: string): string {
  // Not require.resolve: packages with an `exports` map (d3) hide their package.json from it.
  const path = join(ROOT, "node_modules", name, "package.json");
  return existsSync(path) ? JSON.parse(readFileSync(path, "utf-8")).version : FALLBACK_VERSION;
}

function seedNpmVersionCache(): void {
  for (const name of FRAMEWORK_NPM_LIBRARIES) {
    mkdirSync(join(NPM_CACHE_DIR, `${name}@${installedVersion(name)}`), {recursive: true});
  }
}

const USAGE = "npm run vendor\n\nBundles tfjs and arquero for the browser into src/vendor/, stages the classifier's model and face-api weights, seeds Framework's npm cache.";

async function main(): Promise<void> {
  parseFlags(process.argv.slice(2), {}, USAGE);
  const start = performance.now();
  mkdirSync(VENDOR_DIR, {recursive: true});
  for (const file of WASM_FILES) {
    const source = join(ROOT, "node_modules", "@tensorflow", "tfjs-backend-wasm", "dist", file);
    if (!existsSync(source)) throw new Error(`missing ${source}: expected @tensorflow/tfjs-backend-wasm 4.x in node_modules (run npm ci)`);
  }
  const changed = [
    (await bundle(TFJS_ENTRY, "tfjs.js")) && "tfjs.js",
    (await bundle(ARQUERO_ENTRY, "arquero.js")) && "arquero.js",
    ...stageClassifierAssets(ROOT, VENDOR_DIR)
  ].filter(Boolean);
  seedNpmVersionCache();
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  process.stderr.write(`vendor: src/vendor/ ${changed.length ? `updated ${changed.join(", ")}` : "up to date"} in ${seconds} s\n`);
}

runCli(main);
