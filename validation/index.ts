/** Public entry of validation/: pure functions (no DOM, no Node APIs), usable in workers and Node. */
export * from './errors.ts';
export * from './image.ts';
export * from './datarange.ts';
export * from './metrics/index.ts';
export { resize, taps, type Convention, type FilterName, type Taps } from './resample.ts';
export * from './degrade.ts';
export * from './baselines.ts';
export * from './color.ts';
export * from './tiles.ts';
export * from './consistency.ts';
export * from './hallucination.ts';
export * from './evaluate.ts';
export * from './report/schema.ts';
export * from './report/csv.ts';
export * from './report/html.ts';
export * from './report/figures.ts';
export { encodePng, pngDataUri, toBase64 } from './report/png.ts';
