// Shared plumbing for the Node CLIs in tools/ (ingest, train, evaluate, bench). The whole API:
//
//   parseFlags(argv, spec)  `--name value` / `--name=value` for "string" and "number" flags, bare `--name`
//                           for "boolean" flags; other words are positionals. An unknown flag, a missing or
//                           non-numeric value throws. Returns {flags, positionals}; absent flags are undefined.
//                           `--help`/`-h` throws a HelpRequest carrying `usage`, which runCli prints on stdout (exit 0).
//                             const {flags} = parseFlags(process.argv.slice(2), {data: "string", epochs: "number", resume: "boolean"}, USAGE);
//   runCli(main)            runs async main(); on a throw prints one line `error: <message>` to stderr (no stack
//                           unless DEBUG is set) and exits 1.
//   progressLine()          progress on stderr: update(text) redraws one live line on a TTY (\r) and prints
//                           plain lines at most every `plainEveryMs` otherwise (logs); done() ends the line.
//   printJson(value)        the CLI's result: one JSON object on stdout.

export type FlagType = "string" | "number" | "boolean";
export type FlagSpec = Record<string, FlagType>;
type FlagValue<T extends FlagType> = T extends "string" ? string : T extends "number" ? number : boolean;
export type Flags<S extends FlagSpec> = {[K in keyof S]?: FlagValue<S[K]>};

/** Thrown by parseFlags for --help: not an error, runCli prints the usage and exits 0. */
export class HelpRequest extends Error {
  constructor(readonly usage: string) {
    super(usage);
  }
}

export function parseFlags<S extends FlagSpec>(
  argv: readonly string[],
  spec: S,
  usage = `flags: ${Object.keys(spec).map((name) => `--${name}`).join(" ") || "none"}`
): {flags: Flags<S>; positionals: string[]} {
  if (argv.some((arg) => arg === "--help" || arg === "-h")) throw new HelpRequest(usage);
  const flags: Record<string, string | number | boolean> = {};
  const positionals: string[] = [];
  const known = Object.keys(spec).map((name) => `--${name}`).join(", ") || "none";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--")) {
      if (arg.startsWith("-") && arg.length > 1) throw new Error(`unknown flag ${arg}, expected one of ${known}`);
      positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf("=");
    const name = arg.slice(2, equals < 0 ? undefined : equals);
    const type = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (type === undefined) throw new Error(`unknown flag --${name}, expected one of ${known}`);
    if (type === "boolean") {
      if (equals >= 0) throw new Error(`flag --${name} takes no value, found "${arg.slice(equals + 1)}"`);
      flags[name] = true;
      continue;
    }
    let value: string | undefined;
    if (equals >= 0) value = arg.slice(equals + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) value = argv[++i];
    if (value === undefined || value === "") throw new Error(`flag --${name} needs a ${type} value`);
    if (type === "number") {
      const number = Number(value);
      if (!Number.isFinite(number)) throw new Error(`flag --${name} is "${value}", expected a number`);
      flags[name] = number;
    } else flags[name] = value;
  }
  return {flags: flags as Flags<S>, positionals};
}

export function runCli(main: () => unknown | Promise<unknown>): void {
  Promise.resolve()
    .then(main)
    .catch((error: unknown) => {
      if (error instanceof HelpRequest) {
        process.stdout.write(`${error.usage.trimEnd()}\n`);
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`error: ${message.replace(/\s*\n\s*/g, " ")}\n`);
      if (process.env.DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
      process.exitCode = 1;
      // Flush stderr, then exit even if a stray handle would keep the process alive.
      process.stderr.write("", () => process.exit(1));
    });
}

export interface ProgressLine {
  update(text: string): void;
  done(text?: string): void;
}

export function progressLine({stream = process.stderr, plainEveryMs = 2000}: {stream?: NodeJS.WriteStream; plainEveryMs?: number} = {}): ProgressLine {
  const live = Boolean(stream.isTTY);
  let last = 0;
  let pending = "";
  let width = 0;
  return {
    update(text) {
      pending = text;
      const now = Date.now();
      if (live) {
        if (now - last < 50) return;
        const columns = stream.columns || 100;
        const line = text.length >= columns ? text.slice(0, columns - 1) : text;
        stream.write(`\r${line}${" ".repeat(Math.max(0, width - line.length))}`);
        width = line.length;
      } else {
        if (now - last < plainEveryMs) return;
        stream.write(`${text}\n`);
        pending = "";
      }
      last = now;
    },
    done(text) {
      const final = text ?? pending;
      if (live) stream.write(`\r${final}${" ".repeat(Math.max(0, width - final.length))}\n`);
      else if (final) stream.write(`${final}\n`);
      width = 0;
      pending = "";
    }
  };
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
