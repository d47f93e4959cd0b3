/** The Cornerstone3D adapter in Cornerstone3D's CPU rendering mode: see testing/suite.ts. */
import { adapterSuite } from './testing/suite.ts';

adapterSuite('Cornerstone3D adapter, CPU rendering', true);
