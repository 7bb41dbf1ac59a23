// `npm run bench -- memory [--dist dist] [--picture FILE] [--count 20]`: the classifier page's memory over
// repeated use. A picture (default: face-api's sample1 enlarged to 12 megapixels, written at run time) is
// uploaded `count` times, one after the other; after each, with garbage collected, it records tfjs's live
// tensors, the JS heap (Chrome DevTools Protocol), the canvases' pixels still held by the page, the results
// shown, and the renderer processes' resident memory (/proc, Linux). The end-to-end test holds the page to
// bounds on the same figures (tests/e2e/robustness.test.ts).

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import jpeg from "jpeg-js";
import type {Browser, Page} from "playwright-core";
import {parseFlags} from "../cli.js";
import {launchChromium} from "../browser/chromium.js";
import {serveStatic} from "../browser/serve-static.js";

const SAMPLE = path.join("node_modules", "@vladmandic", "face-api", "demo", "sample1.jpg");

export interface MemorySample {
  upload: number;
  tensors: number;
  jsHeapMB: number;
  canvasMB: number;
  results: number;
  rendererRssMB: number | null;
}

/** A `width` x `height` JPEG of `source` scaled up (nearest pixel): a large photo with faces in it. */
export function enlargedJpeg(source: string, width = 4000, height = 3000): Buffer {
  const image = jpeg.decode(fs.readFileSync(source), {useTArray: true, formatAsRGBA: true});
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    const sy = Math.floor((y * image.height) / height);
    for (let x = 0; x < width; x++) {
      const s = (sy * image.width + Math.floor((x * image.width) / width)) * 4;
      const d = (y * width + x) * 4;
      data[d] = image.data[s];
      data[d + 1] = image.data[s + 1];
      data[d + 2] = image.data[s + 2];
      data[d + 3] = 255;
    }
  }
  return Buffer.from(jpeg.encode({data, width, height}, 85).data);
}

/** Resident memory of this browser's renderer processes (found by the marker flag in the browser's command line), in MB. */
function rendererRssMB(marker: string): number | null {
  if (process.platform !== "linux") return null;
  const processes = fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name)).flatMap((pid) => {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
      return [{pid, cmdline, ppid: /PPid:\s+(\d+)/.exec(status)?.[1] ?? "", rssKB: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)}];
    } catch {
      return [];
    }
  });
  const root = processes.find((p) => p.cmdline.includes(marker) && !p.cmdline.includes("--type="));
  if (!root) return null;
  const family = new Set([root.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of processes) if (!family.has(p.pid) && family.has(p.ppid)) (family.add(p.pid), (grew = true));
  }
  const renderers = processes.filter((p) => family.has(p.pid) && p.cmdline.includes("--type=renderer"));
  return Math.round(renderers.reduce((sum, p) => sum + p.rssKB, 0) / 102.4) / 10;
}

/** Uploads `picture` `count` times in one classifier page and samples its memory after each. */
export async function measureClassifierMemory(
  browser: Browser,
  {url, picture, count, marker}: {url: string; picture: string; count: number; marker: string | null}
): Promise<MemorySample[]> {
  const page: Page = await browser.newPage({viewport: {width: 1280, height: 900}});
  await page.addInitScript("globalThis.__name ??= (fn) => fn");
  await page.goto(url);
  await page.waitForFunction(() => (window as any).ferClassifier, null, {timeout: 60_000});
  await page.evaluate(() => (window as any).ferClassifier.ready);
  const cdp = await page.context().newCDPSession(page);
  const samples: MemorySample[] = [];
  for (let upload = 1; upload <= count; upload++) {
    const done = await page.locator(".picture-result, .picture-error").count();
    await page.setInputFiles("#classifier-files", picture);
    // Each upload adds one result (and, past the cap, drops the oldest): wait for the status line to clear.
    await page.waitForFunction((before) => {
      const shown = document.querySelectorAll(".picture-result, .picture-error").length;
      return !document.querySelector(".upload-panel__status")?.textContent && (shown > before || shown >= 12 || before >= 12);
    }, done, {timeout: 120_000});
    await cdp.send("HeapProfiler.collectGarbage");
    const heap = (await cdp.send("Runtime.getHeapUsage")) as {usedSize: number};
    const page_ = await page.evaluate(async () => {
      const engine = await (window as any).ferClassifier.ready;
      const canvases = [...document.querySelectorAll("canvas")].reduce((sum, c) => sum + c.width * c.height * 4, 0);
      return {tensors: engine.tf.memory().numTensors as number, canvasBytes: canvases, results: document.querySelectorAll(".picture-result, .picture-error").length};
    });
    samples.push({
      upload,
      tensors: page_.tensors,
      jsHeapMB: Math.round(heap.usedSize / 1e5) / 10,
      canvasMB: Math.round(page_.canvasBytes / 1e5) / 10,
      results: page_.results,
      rendererRssMB: marker ? rendererRssMB(marker) : null
    });
  }
  await page.close();
  return samples;
}

export async function runBench(argv: string[]): Promise<object> {
  const {flags} = parseFlags(argv, {dist: "string", picture: "string", count: "number"});
  const dist = path.resolve(flags.dist ?? "dist");
  if (!fs.existsSync(path.join(dist, "pages", "classifier.html"))) throw new Error(`no built classifier page in ${dist}: run npm run build first (or pass --dist DIR)`);
  const count = flags.count ?? 20;
  let picture = flags.picture ? path.resolve(flags.picture) : "";
  const temporary = fs.mkdtempSync(path.join(os.tmpdir(), "bench-memory-"));
  if (!picture) {
    picture = path.join(temporary, "sample1-12mp.jpg");
    fs.writeFileSync(picture, enlargedJpeg(SAMPLE));
  }
  const marker = `--fer-bench-memory=${process.pid}`;
  const server = await serveStatic(dist);
  const browser = await launchChromium({extraFlags: [marker]});
  try {
    process.stderr.write(`bench memory: ${count} uploads of ${path.basename(picture)} in ${dist}\n`);
    const samples = await measureClassifierMemory(browser, {url: `${server.origin}/pages/classifier`, picture, count, marker});
    const first = samples[0], last = samples[samples.length - 1];
    return {
      bench: "memory",
      dist,
      picture: path.basename(picture),
      count,
      first,
      last,
      growthPerUpload: {
        jsHeapMB: Math.round(((last.jsHeapMB - first.jsHeapMB) / Math.max(1, count - 1)) * 10) / 10,
        rendererRssMB: first.rendererRssMB != null && last.rendererRssMB != null ? Math.round(((last.rendererRssMB - first.rendererRssMB) / Math.max(1, count - 1)) * 10) / 10 : null
      },
      samples
    };
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(temporary, {recursive: true, force: true});
  }
}
