/** Styles of <sr-compare>: the slotted viewer fills the host; the split handle sits over it. */
import { css } from 'lit';

/** <sr-compare> styles. */
export const srCompareStyles = css`
  :host {
    display: block;
    position: relative;
    width: 100%;
    height: 100%;
  }
  ::slotted(sr-viewer) {
    width: 100%;
    height: 100%;
  }
  .handle {
    position: absolute;
    top: 0;
    bottom: 0;
    width: 16px;
    margin-left: -8px;
    cursor: ew-resize;
    touch-action: none;
    outline: none;
  }
  .handle::before {
    content: '';
    position: absolute;
    top: 0;
    bottom: 0;
    left: 7px;
    width: 2px;
    background: #fff;
    box-shadow: 0 0 2px #000;
  }
  .handle:focus-visible::before {
    background: #ffd400;
  }
  .label {
    position: absolute;
    top: 4px;
    padding: 1px 4px;
    font: 11px sans-serif;
    color: #fff;
    background: rgb(0 0 0 / 0.7);
    pointer-events: none;
    white-space: nowrap;
  }
  .before {
    right: 12px;
  }
  .after {
    left: 12px;
  }
`;
