// The store kit: every store reaches the core only through it (or the public entry), and it offers what stores use.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as kit from '../../src/store-kit.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const IMPORT = /^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm;

/** Core modules (repository-relative) that the store files in `folder` import. */
function coreImports(folder: string): string[] {
  const found: string[] = [];
  for (const file of readdirSync(join(root, folder)).filter((name) => name.endsWith('.ts'))) {
    const text = readFileSync(join(root, folder, file), 'utf8');
    for (const [, specifier] of text.matchAll(IMPORT)) {
      if (!specifier!.startsWith('.')) continue;
      const target = relative(root, resolve(root, folder, specifier!));
      if (target.startsWith('src/') && !target.startsWith('src/stores/')) found.push(`${folder}/${file} -> ${target}`);
    }
  }
  return found;
}

describe('the store kit', () => {
  it.each(['native-store', 'src/stores'])('is the only way %s reaches the core', (folder) => {
    const imports = coreImports(folder);
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((line) => !/-> src\/(store-kit|index)\.js$/.test(line))).toEqual([]);
  });

  it('offers the contract types, guards, errors, the background timer and the option checks', () => {
    for (const name of [
      'MAX_OWNER_LENGTH',
      'assertOwner',
      'canCommitIf',
      'canFindByOwner',
      'canIterate',
      'isWholeBuffer',
      'SessionkitError',
      'optionError',
      'sanitizeError',
      'storeError',
      'timeoutError',
      'BackgroundTask',
      'DropListeners',
      'Lru',
      'MAX_TIMER_MS',
      'intervalOption',
      'timeoutOption',
      'wholeOption',
      'stringOption',
      'functionOption',
      'choiceOption',
      'booleanOption',
      'durationOption',
    ]) {
      expect(kit, name).toHaveProperty(name);
    }
  });

  it('gives a store an error that names it and carries a cause with no token in it', () => {
    const token = 'Zm9vYmFyYmF6cXV4cXV1eGZvb2JhcmJhenF1eHF1dXg';
    const error = kit.storeError('my store', 'GET', Object.assign(new Error(`connection reset while reading ${token}`), { code: 'ECONNRESET', args: [token] }));
    expect(error).toBeInstanceOf(kit.SessionkitError);
    expect(error.message).toBe('sessionkit: my store: GET failed');
    expect((error.cause as Error).message).not.toContain(token);
    expect(JSON.stringify(error.cause)).not.toContain(token);
    expect((error.cause as { code?: string }).code).toBe('ECONNRESET');
  });
});
