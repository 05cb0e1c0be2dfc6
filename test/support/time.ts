// Time helpers shared by tests: the conformance suite's own.
export { later, sleep, sleepUntil } from '../../src/testing/helpers.js';
