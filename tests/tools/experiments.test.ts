import {afterAll, describe, expect, it} from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {errorLines, runCli, writeToyModelFolder} from "./helpers.js";
import {readJson} from "../../tools/model-io.js";
import type {ExperimentsTable} from "../../src/lib/experiments.js";
import type {ModelMetadata} from "../../src/lib/model-folder.js";

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

  it("a run short of its planned epochs is still training until --stopped NAME says it ended by hand, which sticks; a run past its --max-hours finished", async () => {
    const runs = path.join(temp, "runs-stopped");
    const out = path.join(temp, "experiments-stopped.json");
    // Both planned 10 epochs and ran 1; only "budget" had a --max-hours (10 s) that its 12 s of training used up.
    for (const [name, maxSeconds] of [["cut", null], ["budget", 10]] as const) {
      await writeToyModelFolder(path.join(runs, name), {seed: 2, secondsTrained: 12});
      const file = path.join(runs, name, "metadata.json");
      const metadata = readJson<ModelMetadata>(file);
      fs.writeFileSync(file, JSON.stringify({...metadata, training: {...metadata.training, epochs: 10, maxSeconds}}));
    }
    expect((await runCli("experiments", ["--runs", runs, "--out", out])).code).toBe(0);
    const byName = (name: string) => readJson<ExperimentsTable>(out).experiments.find((e) => e.name === name)!;
    expect(byName("cut")).toMatchObject({finished: false, epochsRun: 1});
    expect(byName("cut").stopped).toBeUndefined();
    expect(byName("budget")).toMatchObject({finished: true});

    expect((await runCli("experiments", ["--runs", runs, "--out", out, "--stopped", "cut"])).code).toBe(0);
    expect(byName("cut")).toMatchObject({finished: false, stopped: true});
    expect((await runCli("experiments", ["--runs", runs, "--out", out])).code).toBe(0);
    expect(byName("cut")).toMatchObject({finished: false, stopped: true}); // read again from its folder, still stopped

    const finished = await runCli("experiments", ["--runs", runs, "--out", out, "--stopped", "budget"]);
    expect(finished.code).not.toBe(0);
    expect(errorLines(finished.stderr).join("\n")).toMatch(/--stopped budget: the run finished by its own rules/);
    const unknown = await runCli("experiments", ["--runs", runs, "--out", out, "--stopped", "nope"]);
    expect(unknown.code).not.toBe(0);
    expect(errorLines(unknown.stderr).join("\n")).toMatch(/--stopped nope: no run of that name/);
  }, 60_000);
});
