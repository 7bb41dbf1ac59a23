import {launchChromium} from "./tools/browser/chromium.js";
import {serveStatic} from "./tools/browser/serve-static.js";
const server = await serveStatic("dist");
const browser = await launchChromium();
for (const p of ["/pages/metrics", "/pages/dataset", "/pages/browser-check"]) {
  const page = await browser.newPage({viewport: {width: 390, height: 844}});
  await page.goto(server.origin + p, {waitUntil: "networkidle"});
  await page.waitForFunction(() => document.querySelectorAll("observablehq-loading").length === 0, null, {timeout: 60000});
  const wide = await page.evaluate(`(() => {
    function scrolls(e) { for (let a = e.parentElement; a; a = a.parentElement) { const o = getComputedStyle(a).overflowX; if (o === "auto" || o === "scroll" || o === "hidden") return true; } return false; }
    return [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > 391 && !scrolls(e)).slice(0, 8).map((e) => e.tagName + "#" + e.id + "." + String(e.className).slice(0, 40) + " right=" + Math.round(e.getBoundingClientRect().right) + " w=" + Math.round(e.getBoundingClientRect().width));
  })()`);
  console.log(p, await page.evaluate(() => document.documentElement.scrollWidth), wide);
  await page.close();
}
await browser.close(); await server.close();
