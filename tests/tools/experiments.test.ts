import {afterAll, describe, expect, it} from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {runCli, writeToyModelFolder} from "./helpers.js";
import {readJson} from "../../tools/model-io.js";
import type {ExperimentsTable} from "../../src/lib/experiments.js";

const temp = fs.mkdtempSync(path.join(os.tmpdir(), "fer-experiments-"));
afterAll(() => fs.rmSync(temp, {recursive: true, force: true}));

describe("npm run experiments", () => {
  it("experiments --runs DIR --out FILE adds every run with its recipe, note and PublicTest, and keeps rows of runs gone since", async () => {
    const runs = path.join(temp, "runs");
    const out = path.join(temp, "experiments.json");
    await writeToyModelFolder(path.join(runs, "a"), {seed: 1, secondsTrained: 12, publicTestAccuracy: 0.5});
    fs.writeFileSync(path.join(runs, "a", "history.json"), JSON.stringify({architecture: "tiny", bestEpoch: 1, epochs: [{epoch: 1, publicTestAccuracy: 0.5, imagesPerSecond: 300}]}));
    fs.writeFileSync(path.join(runs, "a", "NOTE.md"), "baseline\n");
    fs.mkdirSync(path.join(runs, "not-a-run"));
    fs.writeFileSync(out, JSON.stringify({experiments: [{name: "older", publicTestAccuracy: 0.4}]}));
    const {code} = await runCli("experiments", ["--runs", runs, "--out", out]);
    expect(code).toBe(0);
    const table = readJson<ExperimentsTable>(out);
    expect(table.experiments.map((e) => e.name)).toEqual(["a", "older"]);
    expect(table.experiments[0]).toMatchObject({
      architecture: "tiny", secondsTrained: 12, publicTestAccuracy: 0.5, publicTestByEpoch: [0.5], imagesPerSecond: 300, note: "baseline", selection: "PublicTest"
    });
  }, 60_000);
});
