/** Styles of <sr-viewer>: the cornerstone element fills the host; a drop target shows while dragging. */
import { css } from 'lit';
import { viewerStyles } from '../shared/viewer.styles.ts';

/** <sr-viewer> styles. */
export const srViewerStyles = [
  viewerStyles,
  css`
    .drop {
      position: absolute;
      inset: 0;
      display: none;
      align-items: center;
      justify-content: center;
      color: #fff;
      font: 14px sans-serif;
      background: rgb(0 80 160 / 0.5);
      outline: 2px dashed #fff;
      outline-offset: -8px;
      pointer-events: none;
    }
    :host([dragging]) .drop {
      display: flex;
    }
    :host(:focus-visible) {
      outline: 2px solid #4da3ff;
      outline-offset: -2px;
    }
    /* the frame bar sits below the image, never over it (nor over the mark in any corner) */
    :host([multiframe]) .viewport {
      bottom: 28px;
    }
    .frames {
      position: absolute;
      left: 0;
      right: 0;
      bottom: 0;
      height: 28px;
      display: flex;
      align-items: center;
      gap: 8px;
      padding: 0 8px;
      color: #fff;
      font: 12px sans-serif;
      background: #222;
    }
    .frames input {
      flex: 1;
    }
  `,
];
