// The classifier's header line: which model runs (name, measured accuracy or "not yet evaluated"), on which
// tfjs backend (an element with data-backend), why a faster backend was skipped, and a switch for the reader.

import {BACKEND_LABELS, BACKEND_ORDER, type BackendName, type Engine, type ModelInfo} from "./engine.js";

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * "67.4% accuracy on FER2013 PrivateTest", or null when the model has no evaluation yet. The plain
 * (single-pass) figure, since that is how this page classifies; flip averaging is not used here.
 */
export function accuracyText(info: ModelInfo): string | null {
  const privateTest = info.evaluation?.splits?.PrivateTest;
  if (!privateTest) return null;
  return `${(privateTest.accuracy * 100).toFixed(1)}% accuracy on FER2013 PrivateTest`;
}

/** Said while the CPU backend runs: it works everywhere, but slowly (src/lib/face-finder.ts, warmUp). */
const CPU_NOTE =
  "The CPU backend runs tfjs in plain JavaScript: finding the faces in a photo takes about 20 times as long as with WebAssembly, and the page waits meanwhile.";

export function StatusBar(handle: {ready: Promise<Engine>}): HTMLElement {
  const bar = element("div", "classifier-status");
  bar.setAttribute("role", "status");
  const model = element("span", "classifier-status__model", "Loading the model and the face detector…");
  const backend = element("span", "classifier-status__backend");
  const active = element("strong", "", "starting");
  active.dataset.backend = "";
  backend.append("Runs on ", active);
  const switcher = element("label", "classifier-status__switch");
  const select = element("select", "");
  select.disabled = true;
  for (const name of BACKEND_ORDER) {
    const option = element("option", "", BACKEND_LABELS[name]);
    option.value = name;
    select.append(option);
  }
  switcher.append("Backend ", select);
  const note = element("p", "classifier-status__note");
  bar.append(model, backend, switcher, note);

  function showBackend(engine: Engine): void {
    const name = engine.backend();
    active.dataset.backend = name;
    active.textContent = BACKEND_LABELS[name];
    select.value = name;
    const skipped = engine.failures.filter((f) => f.backend !== name);
    note.textContent = [
      ...skipped.map((f) => `${BACKEND_LABELS[f.backend]} did not work here (${f.reason}).`),
      name === "wasm" && engine.note ? engine.note : "",
      name === "cpu" ? CPU_NOTE : ""
    ].join(" ").trim();
  }

  handle.ready.then(
    (engine) => {
      const {info} = engine;
      model.replaceChildren("Model ", element("strong", "", info.name), " · ");
      const accuracy = accuracyText(info);
      model.append(accuracy ? element("span", "", accuracy) : element("span", "classifier-status__pending", "not yet evaluated"));
      showBackend(engine);
      select.disabled = false;
      select.addEventListener("change", async () => {
        select.disabled = true;
        active.textContent = `switching to ${BACKEND_LABELS[select.value as BackendName]}…`;
        // The switch runs the networks once in this thread: let the line above show first.
        await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
        try {
          await engine.setBackend(select.value as BackendName);
        } catch {
          // the failure is listed in the note by showBackend
        }
        showBackend(engine);
        select.disabled = false;
      });
    },
    (error) => {
      model.textContent = `The classifier could not start: ${error instanceof Error ? error.message : String(error)}`;
      model.classList.add("classifier-status__warning");
      active.textContent = "none";
      active.dataset.backend = "none";
    }
  );
  return bar;
}
