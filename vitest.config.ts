import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.check.json' },
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Database and server tests share the machine's two cores; files still run in parallel.
    pool: 'forks',
  },
});
