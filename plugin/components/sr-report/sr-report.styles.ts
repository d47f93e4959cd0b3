/** Styles of `<sr-report>`. */
import { css } from 'lit';
import { hostStyles } from '../shared/host.styles.ts';

/** Tables as in the HTML report (validation/report/html.ts), bars as plain boxes. */
export const styles = [
  hostStyles,
  css`
    h3 {
      font-size: 15px;
      margin: 12px 0 6px;
    }
    h4 {
      font-size: 13px;
      margin: 10px 0 4px;
    }
    table {
      border-collapse: collapse;
      margin: 4px 0;
    }
    th,
    td {
      border: 1px solid #d0d7de;
      padding: 2px 8px;
      text-align: right;
      font-variant-numeric: tabular-nums;
    }
    th:first-child,
    td:first-child {
      text-align: left;
    }
    thead th {
      background: #f6f8fa;
    }
    tr.model td {
      font-weight: 600;
    }
    .bars {
      display: grid;
      grid-template-columns: max-content 1fr max-content;
      gap: 2px 8px;
      align-items: center;
      max-width: 480px;
    }
    .bar {
      height: 10px;
      background: #8c959f;
    }
    .bar.model {
      background: #0969da;
    }
    .mono {
      font:
        12px ui-monospace,
        monospace;
      word-break: break-all;
    }
    .muted {
      color: #57606a;
    }
    .warn {
      background: #ffebe9;
      border: 1px solid #cf222e;
      color: #cf222e;
      padding: 4px 8px;
      font-weight: 600;
    }
    .errors {
      background: #ffebe9;
      border: 1px solid #ff8182;
      padding: 4px 8px;
    }
  `,
];
