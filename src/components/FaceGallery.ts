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

/** Where a sprite sheet is and how to show its tiles; FaceProbabilities cuts its faces the same way. */
export interface SpriteSheetOptions {
  /** URL of the sprite sheet (FileAttachment(...).href). */
  src: string;
  sheetWidth: number;
  sheetHeight: number;
  tileSize?: number;
  scale?: number;
}

/** The inline style that shows the tile at (x, y) of the sheet, zoomed `scale` times. */
export function spriteTileStyle({x, y}: {x: number; y: number}, {src, sheetWidth, sheetHeight, tileSize = 48, scale = 2}: SpriteSheetOptions) {
  const side = tileSize * scale;
  return {
    width: `${side}px`,
    height: `${side}px`,
    backgroundImage: `url("${src}")`,
    backgroundSize: `${sheetWidth * scale}px ${sheetHeight * scale}px`,
    backgroundPosition: `-${x * scale}px -${y * scale}px`
  };
}

export interface FaceGalleryOptions<T extends SpriteFace> extends SpriteSheetOptions {
  /** A caption under each face, or none. */
  caption?: (face: T) => Node | string | null;
  /** Extra class on each figure, e.g. "wide" for long captions. */
  figureClass?: string;
}

export function FaceGallery<T extends SpriteFace>(faces: T[], {caption, figureClass = "", ...sheet}: FaceGalleryOptions<T>) {
  return html`<div class="face-gallery">${faces.map((face) => html`<figure class=${figureClass} data-face-id=${face.id}>
    <div class="face" role="img" aria-label=${`${face.emotion} face from ${face.split} (${face.id})`} title=${face.id} style=${spriteTileStyle(face, sheet)}></div>
    ${caption ? html`<figcaption>${caption(face)}</figcaption>` : null}
  </figure>`)}</div>`;
}
