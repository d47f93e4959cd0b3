/** The DICOMweb client (QIDO-RS, WADO-RS, STOW-RS) on `fetch`, for browsers and Node. See README.md. */
export * from './errors.ts';
export * from './url.ts';
export * from './json.ts';
export * from './client.ts';
export * from './retrieve.ts';
export * from './stow.ts';
export { parseMultipart, buildMultipart, type Part } from './multipart.ts';
