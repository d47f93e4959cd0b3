/** Styles of `<sr-provenance>`. */
import { css } from 'lit';
import { hostStyles } from '../shared/host.styles.ts';

/** A two-column definition list; perceptual output in red so it is never mistaken for fidelity. */
export const styles = [
  hostStyles,
  css`
    dl {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 2px 12px;
      margin: 0;
    }
    dt {
      color: #57606a;
    }
    dd {
      margin: 0;
      font-variant-numeric: tabular-nums;
    }
    code {
      font:
        12px ui-monospace,
        monospace;
    }
    .perceptual {
      color: #fff;
      background: #cf222e;
      padding: 4px 8px;
      font-weight: 600;
      margin: 0 0 6px;
    }
    .flagged {
      color: #cf222e;
      font-weight: 600;
    }
    .empty {
      color: #57606a;
    }
    .export {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px 8px;
      margin-top: 8px;
    }
    .export-notes {
      flex-basis: 100%;
      margin: 0;
      padding-left: 18px;
      color: #57606a;
    }
    .export-status.error {
      color: #cf222e;
    }
    :focus-visible {
      outline: 2px solid #0969da;
      outline-offset: 2px;
    }
  `,
];
