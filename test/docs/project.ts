// A throwaway consumer project for doc blocks: `sessionkit` is this package as built, the drivers come from its dev dependencies.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { where, type CodeBlock } from './blocks.js';

/** What a consumer's tsconfig says: strict, Node's own module resolution, libraries' .d.ts skipped. */
const COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts'],
  types: ['node'],
  skipLibCheck: true,
  noEmit: true,
};

export interface RunResult {
  /** Exit code, or 'running' when a server block was still up when it was stopped. */
  outcome: number | 'running' | 'timeout';
  output: string;
}

/** A temp directory with package.json, node_modules links and one file per block. */
export class DocProject {
  readonly dir: string;
  private readonly files = new Map<CodeBlock, string>();

  constructor(root: string, blocks: CodeBlock[]) {
    this.dir = mkdtempSync(join(tmpdir(), 'sessionkit-doctest-'));
    writeFileSync(join(this.dir, 'package.json'), '{ "private": true, "type": "module" }\n');
    const modules = join(this.dir, 'node_modules');
    mkdirSync(modules);
    // The package as a consumer installs it (its exports and dist), beside the repository's dev dependencies.
    symlinkSync(root, join(modules, 'sessionkit'), 'dir');
    for (const name of readdirSync(join(root, 'node_modules'))) {
      if (!name.startsWith('.') && name !== 'sessionkit') symlinkSync(join(root, 'node_modules', name), join(modules, name), 'dir');
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
        writeFileSync(file, `${block.code}\nexport {};\n`);
        writeFileSync(file.replace(/\.ts$/, '.js'), transpile(block.code));
      }
      this.files.set(block, file);
    });
  }

  /** Type-checks the blocks, one program per `program=` group; returns messages naming the markdown line. */
  typeCheck(): string[] {
    const groups = new Map<string, CodeBlock[]>();
    for (const block of this.files.keys()) {
      const key = block.program === undefined ? '' : `${block.doc}#${block.program}`;
      groups.set(key, [...(groups.get(key) ?? []), block]);
    }
    const host = cachingHost(COMPILER_OPTIONS);
    const problems: string[] = [];
    let previous: ts.Program | undefined;
    for (const group of groups.values()) {
      const byFile = new Map(group.map((block) => [this.files.get(block)!, block]));
      const program = ts.createProgram([...byFile.keys()], COMPILER_OPTIONS, host, previous);
      previous = program;
      for (const diagnostic of ts.getPreEmitDiagnostics(program)) problems.push(this.describe(diagnostic, byFile));
    }
    return problems;
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

  private describe(diagnostic: ts.Diagnostic, byFile: Map<string, CodeBlock>): string {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const file = diagnostic.file;
    if (file === undefined || diagnostic.start === undefined) return `TS${diagnostic.code}: ${message}`;
    const { line, character } = file.getLineAndCharacterOfPosition(diagnostic.start);
    const block = byFile.get(file.fileName) ?? [...this.files].find(([, name]) => name === file.fileName)?.[0];
    if (block === undefined) return `${relative(this.dir, file.fileName)}:${line + 1}: TS${diagnostic.code}: ${message}`;
    return `${block.doc}:${block.line + line}:${character + 1} (block at ${where(block)}): TS${diagnostic.code}: ${message}`;
  }
}

/** The block as JavaScript for Node: types stripped, imports kept as written. */
function transpile(code: string): string {
  return ts.transpileModule(`${code}\nexport {};\n`, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
}

/** A compiler host that parses each library file once for all programs. */
function cachingHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options, true);
  const cache = new Map<string, ts.SourceFile | undefined>();
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, language, onError, fresh) => {
    if (!fileName.includes('node_modules') && !fileName.includes('/dist/')) return getSourceFile(fileName, language, onError, fresh);
    if (!cache.has(fileName)) cache.set(fileName, getSourceFile(fileName, language, onError, fresh));
    return cache.get(fileName);
  };
  return host;
}
