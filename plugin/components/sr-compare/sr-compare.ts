/** Registers <sr-compare> (side effect) and re-exports its class and event type. */
export { SrCompare, type SrCompareChangeEvent } from './sr-compare.component.ts';
