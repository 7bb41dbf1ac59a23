import fs from "node:fs";
import {launchChromium} from "./tools/browser/chromium.js";
import {serveStatic} from "./tools/browser/serve-static.js";
const axe = fs.readFileSync("node_modules/axe-core/axe.min.js", "utf8");
const server = await serveStatic(process.argv[2]);
const browser = await launchChromium();
for (const p of process.argv.slice(3)) {
  const page = await browser.newPage({viewport: {width: 1280, height: 900}, bypassCSP: true});
  await page.goto(server.origin + p, {waitUntil: "networkidle"});
  await page.waitForFunction(() => document.querySelectorAll("observablehq-loading").length === 0, null, {timeout: 60000});
  await page.addScriptTag({content: axe});
  const result: any = await page.evaluate(async () => (window as any).axe.run(document, {resultTypes: ["violations"]}));
  for (const v of result.violations) {
    console.log(`## ${p} ${v.id} ${v.impact} (${v.nodes.length})`);
    const seen = new Set();
    for (const n of v.nodes) { const key = n.target.join(" ").replace(/:nth-child\(\d+\)/g, "").slice(-90) + " | " + (n.any[0]?.message ?? n.all[0]?.message ?? "").slice(0, 150); if (!seen.has(key)) { seen.add(key); if (seen.size <= 5) console.log("  ", key); } }
  }
  await page.setViewportSize({width: 390, height: 844});
  await page.waitForTimeout(400);
  const wide = await page.evaluate(() => [...document.querySelectorAll("#observablehq-main *")].filter((e) => e.getBoundingClientRect().right > 392).slice(0, 6).map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`));
  console.log("wide:", wide);
  await page.close();
}
await browser.close(); await server.close();
