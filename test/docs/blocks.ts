// Extracts the TypeScript code blocks of markdown files, with where each starts and what its fence info says.
import { readFileSync } from 'node:fs';

/**
 * Words a ```ts fence may carry after the language:
 * - `fragment`: deliberately not a whole module; neither type-checked nor run.
 * - `server`: starts a server that runs until stopped; type-checked, then started with PORT=0 and
 *   stopped after a moment (it must not fail on start).
 * - `service`: needs a database server; type-checked, not run.
 * - `test`: a vitest test file; type-checked, not run by Node.
 * - `file=<name>`: the block's file name in the test project (e.g. `sessionkit-env.d.ts`); a
 *   `.d.ts` block is type-checked, never run.
 * - `program=<name>`: type-check the block apart from the others, with the blocks of the same
 *   markdown file that name the same program (for module augmentations that would affect them all).
 */
export interface CodeBlock {
  /** The markdown file, relative to the repository root. */
  doc: string;
  /** 1-based line of the first code line (the line after the fence). */
  line: number;
  code: string;
  fragment: boolean;
  server: boolean;
  service: boolean;
  test: boolean;
  file: string | undefined;
  program: string | undefined;
}

const LANGUAGES = new Set(['ts', 'typescript']);
const FLAGS = new Set(['fragment', 'server', 'service', 'test']);
const FENCE = /^(\s*)(`{3,}|~{3,})(.*)$/;

/** True when `line` (trimmed) closes a block opened with `fence`: the same character, at least as many. */
function closes(line: string, fence: string): boolean {
  return line.length >= fence.length && line === fence[0]!.repeat(line.length);
}

/** The TypeScript blocks of one markdown text; throws on a fence word this extractor does not know. */
export function extractBlocks(doc: string, text: string): CodeBlock[] {
  const lines = text.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (open === null) continue;
    const [, indent, fence, info] = open as unknown as [string, string, string, string];
    const end = lines.findIndex((line, j) => j > i && closes(line.trim(), fence));
    const close = end === -1 ? lines.length : end;
    const words = info
      .trim()
      .split(/\s+/)
      .filter((word) => word !== '');
    const language = words.shift()?.toLowerCase();
    if (language !== undefined && LANGUAGES.has(language)) {
      const block: CodeBlock = {
        doc,
        line: i + 2,
        code: lines
          .slice(i + 1, close)
          .map((line) => line.slice(Math.min(indent.length, line.length - line.trimStart().length)))
          .join('\n'),
        fragment: false,
        server: false,
        service: false,
        test: false,
        file: undefined,
        program: undefined,
      };
      for (const word of words) {
        const [key, value] = word.split('=', 2) as [string, string | undefined];
        if (value === undefined && FLAGS.has(key)) block[key as 'fragment' | 'server' | 'service' | 'test'] = true;
        else if (value !== undefined && (key === 'file' || key === 'program')) block[key] = value;
        else throw new Error(`${doc}:${i + 1}: unknown word "${word}" in the fence of a TypeScript block`);
      }
      blocks.push(block);
    }
    i = close;
  }
  return blocks;
}

/** The TypeScript blocks of markdown files (paths relative to `root`). */
export function readBlocks(root: string, docs: string[]): CodeBlock[] {
  return docs.flatMap((doc) => extractBlocks(doc, readFileSync(`${root}/${doc}`, 'utf8')));
}

/** `README.md:12`, how a failure names a block. */
export function where(block: CodeBlock): string {
  return `${block.doc}:${block.line}`;
}
