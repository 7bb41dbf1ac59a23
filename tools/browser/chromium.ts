// Launches Debian's Chromium headless through playwright-core, with the flags that work as root on a bare
// machine, for the end-to-end tests and the browser bench alike.

import fs from "node:fs";
import {chromium, type Browser} from "playwright-core";

/** CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const CHROMIUM_FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"
];

/** Headless Chromium; `extraFlags` add to the defaults (e.g. a fake camera). */
export async function launchChromium({extraFlags = []}: {extraFlags?: string[]} = {}): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} not found: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({executablePath: CHROMIUM_PATH, args: [...CHROMIUM_FLAGS, ...extraFlags]});
}
