// Links in the README and docs/ work where users read them, on the npm registry's page included: relative links reach shipped files, the rest are absolute.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { anchorsOf, isShipped, linksOf, REPOSITORY_FILE } from './links.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { files: string[] };

/** README.md and every markdown file under docs/, relative to the root. */
function markdownFiles(): string[] {
  const docs = readdirSync(join(root, 'docs'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
  return ['README.md', ...docs.sort()];
}

/** What is wrong with one link of `doc` (a path relative to the root), or undefined. */
function problemWith(doc: string, target: string): string | undefined {
  const repositoryFile = REPOSITORY_FILE.exec(target);
  if (repositoryFile !== null) {
    const path = decodeURIComponent(repositoryFile[1]!);
    return existsSync(join(root, path)) ? undefined : `${target}: no ${path} in the repository`;
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // another site, or mailto:
  const [pathPart = '', anchor] = target.split('#', 2) as [string, string | undefined];
  const path = pathPart === '' ? doc : normalize(join(dirname(doc), decodeURIComponent(pathPart)));
  if (path.startsWith('..')) return `${target}: outside the package`;
  if (!existsSync(join(root, path))) return `${target}: ${path} does not exist`;
  if (!isShipped(path, pkg.files)) {
    return `${target}: ${path} is not in the package, so the link breaks on the registry's page; link https://github.com/sessionkit/sessionkit/blob/main/${path}`;
  }
  if (anchor !== undefined && path.endsWith('.md') && statSync(join(root, path)).isFile()) {
    if (!anchorsOf(readFileSync(join(root, path), 'utf8')).has(anchor)) return `${target}: no heading #${anchor} in ${path}`;
  }
  return undefined;
}

describe('links in the README and docs/', () => {
  it('finds links, skipping code', () => {
    const text = ['[a](x.md) `[b](y.md)` ![c](img.png "t")', '```md', '[d](z.md)', '```', '[e]: ref.md', '<https://example.com>'].join('\n');
    expect(linksOf(text)).toEqual(['x.md', 'img.png', 'ref.md', 'https://example.com']);
  });

  it('knows what the package ships and what a heading is called', () => {
    const files = ['dist', '!dist/examples', 'docs', 'README.md', 'LICENSE'];
    expect(['docs/api/README.md', 'README.md', 'LICENSE', 'dist/src/index.js', 'package.json'].map((path) => isShipped(path, files))).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['examples/seed.ts', 'dist/examples/seed.js', 'bench/results/latest.md', 'docsx/a.md'].map((path) => isShipped(path, files))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect([...anchorsOf('# A `b` c\n## node:http, Connect and Express: `sessionkit/node`\n## A\n```\n# not\n```\n### a\n<a id="x-1"></a>')]).toEqual([
      'a-b-c',
      'nodehttp-connect-and-express-sessionkitnode',
      'a',
      'a-1',
      'x-1',
    ]);
  });

  it.each(markdownFiles())('%s: every relative link reaches a shipped file (and heading), every repository link an existing file', (doc) => {
    const problems = linksOf(readFileSync(join(root, doc), 'utf8'))
      .map((target) => problemWith(doc, target))
      .filter((problem) => problem !== undefined);
    expect(problems).toEqual([]);
  });
});
