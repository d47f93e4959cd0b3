/** Styles of `<sr-progress>`. */
import { css } from 'lit';
import { hostStyles } from '../shared/host.styles.ts';

/** A slim bar with the counts and backend beside it; the fallback line in amber so it is seen. */
export const styles = [
  hostStyles,
  css`
    .row {
      display: flex;
      gap: 10px;
      align-items: center;
    }
    .bar {
      flex: 1;
      min-width: 80px;
      height: 8px;
      background: #eaeef2;
      border-radius: 4px;
      overflow: hidden;
    }
    .fill {
      height: 100%;
      background: #0969da;
      transition: width 0.15s linear;
    }
    .count {
      font-variant-numeric: tabular-nums;
    }
    .fallback {
      margin: 4px 0 0;
      padding: 2px 6px;
      background: #fff8c5;
      border: 1px solid #d4a72c;
    }
    :focus-visible {
      outline: 2px solid #0969da;
      outline-offset: 2px;
    }
  `,
];
