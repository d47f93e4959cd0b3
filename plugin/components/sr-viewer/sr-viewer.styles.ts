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
  `,
];
