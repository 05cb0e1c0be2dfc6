// The `sessionkit/test-suite` entry: the store conformance suite for third-party stores (needs vitest).
export { storeConformance } from './conformance.js';
export type { ConformanceOptions } from './check.js';
