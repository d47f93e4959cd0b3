/** Styles of <sr-stack-viewer>: the Cornerstone3D element fills the host; a slice counter in a corner. */
import { css } from 'lit';
import { viewerStyles } from '../shared/viewer.styles.ts';

/** <sr-stack-viewer> styles. */
export const srStackViewerStyles = [
  viewerStyles,
  css`
    :host {
      outline: none;
    }
    :host(:focus-visible) {
      box-shadow: inset 0 0 0 2px #4a90d9;
    }
    .slice {
      position: absolute;
      left: 6px;
      top: 4px;
      color: #ddd;
      font: 12px sans-serif;
      pointer-events: none;
      text-shadow: 0 0 2px #000;
    }
    .series {
      position: absolute;
      right: 6px;
      top: 4px;
      max-width: 60%;
      font: 12px sans-serif;
    }
  `,
];
