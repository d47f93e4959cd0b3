/** What every tilesr panel shares: a block host with the system font and a themable text colour. */
import { css } from 'lit';

/** The :host rule of the sr- panels (`--sr-fg` themes the text colour). */
export const hostStyles = css`
  :host {
    display: block;
    font:
      13px/1.4 system-ui,
      sans-serif;
    color: var(--sr-fg, #1f2328);
  }
`;
