// A grid of faces cut from one sprite sheet (CSS background offsets, so the sheet is fetched once),
// shown at an integer zoom with crisp pixels. Each face is labelled for screen readers.
import {html} from "htl";

export interface SpriteFace {
  x: number;
  y: number;
  id: string;
  split: string;
  emotion: string;
}

export interface FaceGalleryOptions<T extends SpriteFace> {
  /** URL of the sprite sheet (FileAttachment(...).href). */
  src: string;
  sheetWidth: number;
  sheetHeight: number;
  tileSize?: number;
  scale?: number;
  /** A caption under each face, or none. */
  caption?: (face: T) => Node | string | null;
  /** Extra class on each figure, e.g. "wide" for long captions. */
  figureClass?: string;
}

export function FaceGallery<T extends SpriteFace>(faces: T[], {src, sheetWidth, sheetHeight, tileSize = 48, scale = 2, caption, figureClass = ""}: FaceGalleryOptions<T>) {
  const side = tileSize * scale;
  return html`<div class="face-gallery">${faces.map((face) => html`<figure class=${figureClass} data-face-id=${face.id}>
    <div class="face" role="img" aria-label=${`${face.emotion} face from ${face.split} (${face.id})`} title=${face.id} style=${{
      width: `${side}px`,
      height: `${side}px`,
      backgroundImage: `url("${src}")`,
      backgroundSize: `${sheetWidth * scale}px ${sheetHeight * scale}px`,
      backgroundPosition: `-${face.x * scale}px -${face.y * scale}px`
    }}></div>
    ${caption ? html`<figcaption>${caption(face)}</figcaption>` : null}
  </figure>`)}</div>`;
}
