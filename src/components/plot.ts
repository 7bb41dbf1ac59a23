// Observable Plot, made accessible where it is not yet: Plot names every mark's <g> with aria-label (and
// some with aria-description), which ARIA forbids on an element with no role; giving those groups the
// "group" role keeps the names for screen readers and passes axe-core; a shape named through a mark's ariaLabel
// channel gets the "img" role for the same reason. Every chart of the report uses this.
import * as Plot from "@observablehq/plot";

export function plot(options: Plot.PlotOptions): ReturnType<typeof Plot.plot> {
  const chart = Plot.plot(options);
  for (const group of chart.querySelectorAll("g[aria-label], g[aria-description]")) {
    if (!group.hasAttribute("role")) group.setAttribute("role", "group");
  }
  // A mark's ariaLabel channel names each shape (a dot, a bar): those become images with that name.
  for (const shape of chart.querySelectorAll(":not(g):not(svg)[aria-label]")) {
    if (!shape.hasAttribute("role")) shape.setAttribute("role", "img");
  }
  return chart;
}
