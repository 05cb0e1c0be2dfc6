// The type tests under each supported TypeScript: every expectTypeOf and @ts-expect-error in test/types holds.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from '../support/commands.js';
import { typescripts } from '../toolchains/toolchains.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('the type tests', () => {
  it.each(typescripts().map((compiler) => [compiler.name, compiler] as const))(
    'compile with %s and the library tsconfig (strict), sources included',
    async (_, compiler) => {
      const result = await run(process.execPath, [join(compiler.dir, 'bin/tsc'), '-p', 'test/types/tsconfig.json', '--pretty', 'false'], root);
      expect(result.output).toBe('');
      expect(result.code).toBe(0);
    },
    120_000,
  );
});
