// Spawns the training CLIs as a user would (`npx tsx training/<cli>.ts ...`) and collects their output.

import {spawn, type ChildProcess} from "node:child_process";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function startCli(cli: string, args: string[], {detached = false}: {detached?: boolean} = {}): {child: ChildProcess; done: Promise<CliResult>} {
  const child = spawn("npx", ["tsx", `training/${cli}.ts`, ...args], {
    cwd: process.cwd(),
    env: {...process.env, FER2013_PATH: ""},
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so the whole npx -> tsx -> node chain can be killed at once.
    detached
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk) => (stdout += chunk));
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const done = new Promise<CliResult>((resolve) => child.on("close", (code) => resolve({code, stdout, stderr})));
  return {child, done};
}

export function runCli(cli: string, args: string[]): Promise<CliResult> {
  return startCli(cli, args).done;
}

/** The lines of stderr, without the tfjs banner and blank lines. */
export function errorLines(stderr: string): string[] {
  return stderr.split(/\r?\n/).filter((line) => line.startsWith("error:"));
}
