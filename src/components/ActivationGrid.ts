// What each convolution block computed for one face: per block, its most active channels as small
// images (one canvas per feature map, each scaled to its own maximum, brighter = stronger), so the reader
// sees resolution fall and abstraction rise block after block.
import {html} from "htl";

export interface BlockActivation {
  block: string;
  layer: string;
  /** [height, width, channels]. */
  shape: number[];
  /** height x width x channels values (HWC, as tfjs returns them). */
  values: Float32Array;
}

/** The `count` channels with the highest mean activation, strongest first. */
export function topChannels({shape, values}: Pick<BlockActivation, "shape" | "values">, count: number): number[] {
  const [h, w, c] = shape;
  const means = new Float64Array(c);
  for (let i = 0; i < h * w; i++) for (let k = 0; k < c; k++) means[k] += values[i * c + k];
  return Array.from({length: c}, (_, k) => k)
    .sort((a, b) => means[b] - means[a] || a - b)
    .slice(0, count);
}

function channelCanvas({shape, values}: BlockActivation, channel: number, size: number): HTMLCanvasElement {
  const [h, w, c] = shape;
  let max = 0;
  for (let i = 0; i < h * w; i++) max = Math.max(max, values[i * c + channel]);
  const canvas = document.createElement("canvas");
  canvas.width = w;
  canvas.height = h;
  canvas.style.width = `${size}px`;
  canvas.style.height = `${Math.round((size * h) / w)}px`;
  const context = canvas.getContext("2d")!;
  const image = context.createImageData(w, h);
  for (let i = 0; i < h * w; i++) {
    const v = max > 0 ? Math.round((255 * Math.max(0, values[i * c + channel])) / max) : 0;
    image.data.set([v, v, v, 255], i * 4);
  }
  context.putImageData(image, 0, 0);
  return canvas;
}

export function ActivationGrid(blocks: BlockActivation[], {channels = 16, size = 44}: {channels?: number; size?: number} = {}) {
  return html`<div class="activation-grid" data-testid="activation-grid">${blocks.map((block) => {
    const picked = topChannels(block, channels);
    return html`<figure class="activation-block" data-block=${block.block}>
      <figcaption><strong>${block.block}</strong> <code>${block.layer}</code><br><span class="muted">${block.shape.join(" × ")}: ${picked.length} of ${block.shape[2]} channels, most active first</span></figcaption>
      <div class="activation-maps" role="img" aria-label=${`${picked.length} feature maps of ${block.block}, ${block.shape[0]} by ${block.shape[1]} pixels`}>${picked.map((channel) => {
        const canvas = channelCanvas(block, channel, size);
        canvas.title = `${block.layer}, channel ${channel}`;
        return canvas;
      })}</div>
    </figure>`;
  })}</div>`;
}
