/** Styles of <sr-viewer>: the cornerstone element fills the host; a drop target shows while dragging. */
import { css } from 'lit';

/** <sr-viewer> styles. */
export const srViewerStyles = css`
  :host {
    display: block;
    position: relative;
    width: 100%;
    height: 100%;
    min-height: 64px;
    background: #000;
    contain: strict;
  }
  .viewport {
    position: absolute;
    inset: 0;
    overflow: hidden;
    touch-action: none;
  }
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
`;
