// The `sessionkit/test-suite` entry: the store conformance suite for third-party stores (needs vitest).
export { storeConformance, type ConformanceOptions } from './conformance.js';
