// Runs after `observable build` (npm run build): every built page gets the policy of tools/site-policy.ts
// (a Content-Security-Policy meta with its inline scripts' hashes, lang="en", a zoomable viewport).

import fs from "node:fs";
import path from "node:path";
import {parseFlags, runCli} from "./cli.js";
import {PAGE_EXTRAS, hardenPage} from "./site-policy.js";

const USAGE = `tsx tools/harden-site.ts [--dist dist]

Adds a Content-Security-Policy meta (inline scripts by hash), lang="en" and a zoomable viewport to every
page of a site built by observable build. Run by npm run build.`;

async function main(): Promise<void> {
  const {flags} = parseFlags(process.argv.slice(2), {dist: "string"}, USAGE);
  const dist = path.resolve(flags.dist ?? "dist");
  if (!fs.existsSync(dist)) throw new Error(`no built site in ${dist}: run observable build first`);
  const pages = (fs.readdirSync(dist, {recursive: true}) as string[]).filter((file) => file.endsWith(".html")).map((file) => file.replace(/\\/g, "/"));
  for (const page of pages) {
    const file = path.join(dist, page);
    fs.writeFileSync(file, hardenPage(fs.readFileSync(file, "utf8"), {extraScriptSrc: PAGE_EXTRAS[page]?.scriptSrc, file}));
  }
  process.stderr.write(`harden-site: a content security policy on ${pages.length} pages of ${path.relative(process.cwd(), dist) || dist}\n`);
}

runCli(main);
