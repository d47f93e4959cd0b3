/**
 * Public entry of plugin/components/ (`tilesr/components`). Importing it registers every `sr-*`
 * custom element (a side effect: package.json `sideEffects` lists these files so bundlers keep it)
 * and re-exports the element classes and their event types.
 */
export * from './sr-viewer/sr-viewer.ts';
export * from './sr-compare/sr-compare.ts';
export * from './sr-enhance-control/sr-enhance-control.ts';
export * from './sr-progress/sr-progress.ts';
export * from './sr-provenance/sr-provenance.ts';
export * from './sr-report/sr-report.ts';
