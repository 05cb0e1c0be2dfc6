// A throwaway consumer project for doc blocks: `sessionkit` is this package as built, the drivers come from its dev dependencies.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { run } from '../support/commands.js';
import type { Toolchain } from '../toolchains/toolchains.js';
import { where, type CodeBlock } from './blocks.js';

/** The compiler options docs/typescript.md gives users, as the JSON block there says, without emitting. */
export function docsCompilerOptions(root: string): Record<string, unknown> {
  const text = readFileSync(join(root, 'docs/typescript.md'), 'utf8');
  const json = /```json\n([\s\S]*?)\n```/.exec(text);
  if (json === null) throw new Error('docs/typescript.md has no JSON block (the tsconfig the docs recommend)');
  const { compilerOptions } = JSON.parse(json[1]!) as { compilerOptions: Record<string, unknown> };
  return { ...compilerOptions, noEmit: true };
}

/** A `tsc` diagnostic line: `file(line,col): error TS1234: message`. */
const DIAGNOSTIC = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/;

export interface RunResult {
  /** Exit code, or 'running' when a server block was still up when it was stopped. */
  outcome: number | 'running' | 'timeout';
  output: string;
}

/** A temp directory with package.json, node_modules links and one file per block. */
export class DocProject {
  readonly dir: string;
  private readonly files = new Map<CodeBlock, string>();

  /** `packages`: what the reader installed beside sessionkit (linked from this repository's node_modules). */
  constructor(root: string, blocks: CodeBlock[], packages: string[]) {
    this.dir = mkdtempSync(join(tmpdir(), 'sessionkit-doctest-'));
    writeFileSync(join(this.dir, 'package.json'), '{ "private": true, "type": "module" }\n');
    const modules = join(this.dir, 'node_modules');
    mkdirSync(modules);
    // The package as a consumer installs it (its exports and dist), beside the packages the docs tell them to install.
    symlinkSync(root, join(modules, 'sessionkit'), 'dir');
    for (const name of packages) {
      mkdirSync(dirname(join(modules, name)), { recursive: true });
      symlinkSync(join(root, 'node_modules', name), join(modules, name), 'dir');
    }
    blocks.forEach((block, index) => {
      if (block.fragment) return;
      // The blocks of one program share a directory, so they can import each other ('./my-store.js').
      const dir = join(this.dir, block.program === undefined ? `block-${index}` : `program-${block.doc.replace(/\W/g, '-')}-${block.program}`);
      mkdirSync(dir, { recursive: true });
      const file = join(dir, block.file ?? `block-${index}.ts`);
      if (file.endsWith('.d.ts')) {
        writeFileSync(file, block.code); // a declaration file must be a module by itself (or not), as the reader writes it
      } else {
        // Each block is a module of its own; Node runs its JavaScript with the types stripped.
        writeFileSync(file, block.code);
        writeFileSync(file.replace(/\.ts$/, '.js'), transpile(block.code));
      }
      this.files.set(block, file);
    });
  }

  /**
   * Type-checks the blocks with the `tsc` of `compiler` and the docs' compiler
   * options, one program per `program=` group; returns messages naming the markdown line.
   */
  async typeCheck(compiler: Toolchain, options: Record<string, unknown>): Promise<string[]> {
    const groups = new Map<string, CodeBlock[]>();
    for (const block of this.files.keys()) {
      const key = block.program === undefined ? '' : `${block.doc}#${block.program}`;
      groups.set(key, [...(groups.get(key) ?? []), block]);
    }
    const byFile = new Map([...this.files].map(([block, file]) => [file, block]));
    const checks = [...groups.values()].map(async (group, index) => {
      const config = join(this.dir, `tsconfig.ts${compiler.major}.${index}.json`);
      writeFileSync(config, JSON.stringify({ compilerOptions: options, files: group.map((block) => this.files.get(block)!) }));
      const { code, output } = await run(process.execPath, [join(compiler.dir, 'bin/tsc'), '-p', config, '--pretty', 'false'], this.dir);
      const problems = output
        .split('\n')
        .filter((line) => /error TS\d+/.test(line))
        .map((line) => this.describe(line, byFile));
      // a failed run always names its problem
      return code !== 0 && problems.length === 0 ? [`tsc exited with ${code}: ${output}`] : problems;
    });
    return (await Promise.all(checks)).flat();
  }

  /**
   * Runs a block with Node (after stripping its types). A server block gets PORT=0 and is
   * stopped after `serverMs`; any other block must exit within `timeoutMs`.
   */
  run(block: CodeBlock, { serverMs = 1500, timeoutMs = 10_000 } = {}): Promise<RunResult> {
    const file = this.files.get(block)!.replace(/\.ts$/, '.js');
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [file], {
        cwd: join(file, '..'),
        env: { ...process.env, PORT: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      let stopped: 'running' | 'timeout' | undefined;
      const timer = setTimeout(
        () => {
          stopped = block.server ? 'running' : 'timeout';
          child.kill('SIGKILL');
        },
        block.server ? serverMs : timeoutMs,
      );
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ outcome: stopped ?? code ?? 1, output: output.trim() });
      });
    });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private describe(line: string, byFile: Map<string, CodeBlock>): string {
    const match = DIAGNOSTIC.exec(line.trim());
    if (match === null) return line.trim();
    const [, file, lineNumber, column, code, message] = match as unknown as [string, string, string, string, string, string];
    const block = byFile.get(resolve(this.dir, file));
    if (block === undefined) return `${relative(this.dir, resolve(this.dir, file))}:${lineNumber}: ${code}: ${message}`;
    return `${block.doc}:${block.line + Number(lineNumber) - 1}:${column} (block at ${where(block)}): ${code}: ${message}`;
  }
}

/** The block as JavaScript for Node: types stripped, imports kept as written. */
function transpile(code: string): string {
  return ts.transpileModule(`${code}\nexport {};\n`, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
}
