/** Styles of `<sr-map-viewer>`, which renders into the light DOM (OpenLayers needs the page's ol.css). */
import { css } from 'lit';

/** The map fills the host (default 480 px high); OpenLayers' own layer elements fill the map. */
const styles = css`
  sr-map-viewer {
    display: block;
    position: relative;
    height: 480px;
  }
  sr-map-viewer > .map {
    position: absolute;
    inset: 0;
  }
`;

let adopted = false;

/**
 * Adds the element's styles to the document once, as a constructed stylesheet (allowed under the
 * demo's strict CSP, unlike a <style> element); type selectors, so any page rule on an id or class wins.
 */
export function adoptMapStyles(): void {
  if (adopted || !styles.styleSheet) return;
  adopted = true;
  document.adoptedStyleSheets = [styles.styleSheet, ...document.adoptedStyleSheets];
}
