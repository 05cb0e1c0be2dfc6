// The type tests under each supported TypeScript: every expectTypeOf and @ts-expect-error in test/types holds.
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { typescripts } from '../toolchains/toolchains.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function tsc(compilerDir: string, project: string): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [join(compilerDir, 'bin/tsc'), '-p', project, '--pretty', 'false'], { cwd: root }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, output: `${stdout}${stderr}` });
    });
  });
}

describe('the type tests', () => {
  it.each(typescripts().map((compiler) => [compiler.name, compiler] as const))(
    'compile with %s and the library tsconfig (strict), sources included',
    async (_, compiler) => {
      const result = await tsc(compiler.dir, 'test/types/tsconfig.json');
      expect(result.output).toBe('');
      expect(result.code).toBe(0);
    },
    120_000,
  );
});
