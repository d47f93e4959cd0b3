/** Styles of `<sr-enhance-control>`. */
import { css } from 'lit';
import { hostStyles } from '../shared/host.styles.ts';

/** Compact, keyboard-visible form controls; the warning dialog stands out. */
export const styles = [
  hostStyles,
  css`
    form {
      display: flex;
      flex-wrap: wrap;
      gap: 8px 16px;
      align-items: center;
    }
    label,
    fieldset {
      display: inline-flex;
      gap: 6px;
      align-items: center;
    }
    fieldset {
      border: 0;
      padding: 0;
      margin: 0;
    }
    legend {
      float: left;
      margin-right: 6px;
    }
    button.switch {
      min-width: 52px;
      border: 1px solid #8c959f;
      border-radius: 12px;
      padding: 2px 10px;
      background: #eaeef2;
      cursor: pointer;
    }
    button.switch[aria-checked='true'] {
      background: #1f883d;
      border-color: #1a7f37;
      color: #fff;
    }
    :focus-visible {
      outline: 2px solid #0969da;
      outline-offset: 2px;
    }
    .scale {
      font-variant-numeric: tabular-nums;
      color: #57606a;
    }
    .perceptual {
      color: #cf222e;
      font-weight: 600;
    }
    dialog {
      max-width: 420px;
      border: 2px solid #cf222e;
      border-radius: 6px;
    }
    dialog h2 {
      font-size: 15px;
      margin: 0 0 8px;
      color: #cf222e;
    }
    dialog .actions {
      display: flex;
      gap: 8px;
      justify-content: flex-end;
      margin-top: 12px;
    }
  `,
];
