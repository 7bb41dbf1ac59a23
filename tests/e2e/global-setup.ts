// Builds the report once per vitest run for every end-to-end test (`npm run build` into dist/), so the
// test files never race each other over src/vendor, Framework's cache or an output folder. It is the
// global setup of the "e2e" project only (vitest.config.ts), which vitest runs only when a file of that
// project is selected: `npx vitest run tests/lib` builds nothing. E2E_USE_DIST=1 reuses dist/ as it is.

import {execFile} from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import {fileURLToPath} from "node:url";
import type {TestProject} from "vitest/node";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const DIST = path.join(ROOT, "dist");

declare module "vitest" {
  interface ProvidedContext {
    /** The built site every end-to-end test serves. */
    siteDist: string;
  }
}

function buildSite(): Promise<void> {
  return new Promise((done, fail) => {
    execFile("npm", ["run", "build"], {cwd: ROOT, env: process.env, maxBuffer: 64 << 20}, (error, stdout, stderr) => {
      if (!error) return done();
      const tail = `${stdout}\n${stderr}`.trim().split("\n").slice(-30).join("\n");
      fail(new Error(`npm run build failed (exit ${error.code}):\n${tail}`));
    });
  });
}

export default async function setup(project: TestProject): Promise<void> {
  if (process.env.E2E_USE_DIST !== "1") {
    const started = Date.now();
    process.stderr.write("e2e: npm run build (once for every end-to-end test)\n");
    await buildSite();
    process.stderr.write(`e2e: built dist/ in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  }
  if (!fs.existsSync(path.join(DIST, "index.html"))) throw new Error(`no index.html in ${DIST}: run npm run build, or unset E2E_USE_DIST`);
  project.provide("siteDist", DIST);
}
