// The API reference in docs/api: TypeDoc regenerates it from the built declarations with every public export documented, and the committed pages match.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const typedoc = join(root, 'node_modules', 'typedoc', 'bin', 'typedoc');

/** Every file under `dir`, as paths relative to it, sorted. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

function runTypedoc(out: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [typedoc, '--out', out], { cwd: root, timeout: 150_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, output: `${stdout}${stderr}` });
    });
  });
}

describe('the API reference', () => {
  let out = '';
  afterAll(() => (out ? rm(out, { recursive: true, force: true }) : undefined));

  it('is generated without a warning (an undocumented export is one) and matches docs/api (run `npm run docs:api` after changing a doc comment)', async () => {
    out = await mkdtemp(join(tmpdir(), 'sessionkit-api-'));
    const { code, output } = await runTypedoc(out);
    expect(code, output).toBe(0);
    const committed = join(root, 'docs', 'api');
    expect(filesUnder(out)).toEqual(filesUnder(committed));
    for (const file of filesUnder(out)) {
      expect(readFileSync(join(committed, file), 'utf8'), `docs/api/${file} is stale`).toBe(readFileSync(join(out, file), 'utf8'));
    }
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain('[sessionkit/uws](sessionkit/uws.md)'); // modules named for their imports
  }, 180_000);
});
