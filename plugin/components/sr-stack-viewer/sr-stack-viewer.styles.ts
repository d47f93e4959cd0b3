/** Styles of <sr-stack-viewer>: the Cornerstone3D element fills the host; a slice counter in a corner. */
import { css } from 'lit';

/** <sr-stack-viewer> styles. */
export const srStackViewerStyles = css`
  :host {
    display: block;
    position: relative;
    width: 100%;
    height: 100%;
    min-height: 64px;
    background: #000;
    contain: strict;
    outline: none;
  }
  :host(:focus-visible) {
    box-shadow: inset 0 0 0 2px #4a90d9;
  }
  .viewport {
    position: absolute;
    inset: 0;
    overflow: hidden;
    touch-action: none;
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
`;
