/** Styles of `<sr-map-viewer>`. */
import { css } from 'lit';
import { hostStyles } from '../shared/host.styles.ts';

/** The map fills the host (default 480 px high); OpenLayers' own layer elements fill the map. */
export const styles = [
  hostStyles,
  css`
    :host {
      display: block;
      position: relative;
      height: 480px;
    }
    .map {
      position: absolute;
      inset: 0;
    }
  `,
];
