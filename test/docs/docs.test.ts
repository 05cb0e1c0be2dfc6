// The doctest: every TypeScript block of the README and docs/ type-checks against the built package, and the runnable ones run.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractBlocks, readBlocks, where } from './blocks.js';
import { typescripts } from '../toolchains/toolchains.js';
import { documentedInstalls, pageInstalls, installedName } from './installs.js';
import { DocProject, docsCompilerOptions } from './project.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const docs = [
  'README.md',
  ...readdirSync(`${root}docs`)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];
const blocks = readBlocks(root, docs);
const runnable = blocks.filter((block) => !block.fragment && !block.service && !block.test && !(block.file ?? '').endsWith('.d.ts'));

describe('the extractor', () => {
  it('reads fence words, lines and indented blocks', () => {
    const text = ['# t', '```ts', 'a;', '```', '', '  ```typescript server file=x.ts', '  b;', '  ```', '```ts fragment', 'c', '```'].join('\n');
    const found = extractBlocks('t.md', text);
    expect(found.map((block) => [block.line, block.code, block.server, block.fragment, block.file])).toEqual([
      [3, 'a;', false, false, undefined],
      [7, 'b;', true, false, 'x.ts'],
      [10, 'c', false, true, undefined],
    ]);
  });

  it('refuses a fence word it does not know, naming the line', () => {
    expect(() => extractBlocks('t.md', '```ts fragmnet\nx\n```')).toThrow('t.md:1: unknown word "fragmnet"');
  });
});

describe('the install section', () => {
  it('reads the package name of every kind of spec it gives', () => {
    expect(
      ['pg', '@types/pg', 'vitest@5', '@types/node@22', 'uNetworking/uWebSockets.js#v20.52.0', 'uWebSockets.js@npm:@x/uws@20.30.0', 'github:a/b'].map(
        installedName,
      ),
    ).toEqual(['pg', '@types/pg', 'vitest', '@types/node', 'uWebSockets.js', 'uWebSockets.js', 'b']);
  });

  it('names the library of every adapter and store, and the @types packages they need', () => {
    const names = documentedInstalls(readFileSync(`${root}README.md`, 'utf8'));
    for (const name of [
      'uWebSockets.js',
      'express',
      '@types/express',
      'fastify',
      'hono',
      'lmdb',
      'ioredis',
      'pg',
      '@types/pg',
      'mysql2',
      'vitest',
      'typescript',
      '@types/node',
    ]) {
      expect(names).toContain(name);
    }
  });
});

describe('docs blocks', () => {
  let project: DocProject;

  beforeAll(() => {
    if (!existsSync(`${root}dist/src/index.d.ts`)) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)');
    // What the README's Install section and each page's own `npm install` spans tell a user to install.
    const pages = [...new Set(blocks.map((block) => block.doc))].filter((doc) => doc !== 'README.md');
    const installs = new Set(documentedInstalls(readFileSync(`${root}README.md`, 'utf8')));
    for (const page of pages) for (const name of pageInstalls(readFileSync(`${root}${page}`, 'utf8'))) installs.add(name);
    project = new DocProject(root, blocks, [...installs]);
  });

  afterAll(() => project?.remove());

  it('finds blocks in the README and in docs/', () => {
    expect(blocks.filter((block) => block.doc === 'README.md').length).toBeGreaterThan(2);
    expect(new Set(blocks.map((block) => block.doc)).size).toBeGreaterThan(3);
  });

  it.each(typescripts().map((compiler) => [compiler.name, compiler] as const))(
    'type-check against the built package with %s and the tsconfig docs/typescript.md recommends',
    async (_, compiler) => {
      expect(await project.typeCheck(compiler, docsCompilerOptions(root))).toEqual([]);
    },
    120_000,
  );

  it.concurrent.each(runnable.map((block) => [where(block), block] as const))(
    '%s runs',
    async (_, block) => {
      const result = await project.run(block);
      const ok = block.server ? result.outcome === 'running' || result.outcome === 0 : result.outcome === 0;
      expect(ok, `${where(block)} ${block.server ? 'failed to start' : 'failed'} (${result.outcome}):\n${result.output}`).toBe(true);
    },
    20_000,
  );
});
