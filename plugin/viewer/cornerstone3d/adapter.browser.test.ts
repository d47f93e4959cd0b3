/** The Cornerstone3D adapter on WebGL (Chromium's SwiftShader): see testing/suite.ts. */
import { adapterSuite } from './testing/suite.ts';

adapterSuite('Cornerstone3D adapter, WebGL rendering', false);
