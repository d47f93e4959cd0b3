/** What the viewer elements share: a black block host filled by the viewer's own element. */
import { css } from 'lit';

/** The host and `.viewport` rules of `<sr-viewer>` and `<sr-stack-viewer>`. */
export const viewerStyles = css`
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
`;
