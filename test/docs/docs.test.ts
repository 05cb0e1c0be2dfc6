// The doctest: every TypeScript block of the README and docs/ type-checks against the built package, and the runnable ones run.
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractBlocks, readBlocks, where } from './blocks.js';
import { DocProject } from './project.js';

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

describe('docs blocks', () => {
  let project: DocProject;

  beforeAll(() => {
    if (!existsSync(`${root}dist/src/index.d.ts`)) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)');
    project = new DocProject(root, blocks);
  });

  afterAll(() => project?.remove());

  it('finds blocks in the README and in docs/', () => {
    expect(blocks.filter((block) => block.doc === 'README.md').length).toBeGreaterThan(2);
    expect(new Set(blocks.map((block) => block.doc)).size).toBeGreaterThan(3);
  });

  it('type-check against the built package (strict, module nodenext)', () => {
    expect(project.typeCheck()).toEqual([]);
  }, 60_000);

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
