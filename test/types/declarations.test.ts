// The published declaration files carry only the public API, and compile for a consumer without the stripped parts.
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// A virtual output directory inside the repository, so that the declarations resolve node_modules as dist does.
const outDir = join(root, '.declarations-under-test');

/** A declaration's place: file (relative to its root), enclosing declarations and name, e.g. `src/session.ts#Session.storeKey`. */
type Place = string;

const declarations = new Map<string, string>();
let sourceProgram: ts.Program;
// Both programs read the same lib and dependency declarations: parse them once.
const parsed = new Map<string, ts.SourceFile | undefined>();

function cachingHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language, onError) => {
    if (!parsed.has(file)) parsed.set(file, getSourceFile(file, language, onError));
    return parsed.get(file);
  };
  return host;
}

beforeAll(() => {
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (config === undefined) throw new Error('tsconfig.json did not parse');
  // examples/ is built but not published.
  const published = config.fileNames.filter((file) => !relative(root, file).startsWith('examples'));
  const options = { ...config.options, outDir, emitDeclarationOnly: true, declarationMap: false, sourceMap: false, noEmit: false };
  sourceProgram = ts.createProgram(published, options, cachingHost(options));
  const result = sourceProgram.emit(undefined, (file, text) => declarations.set(file, text));
  expect(result.diagnostics.map(describeDiagnostic)).toEqual([]);
  expect(declarations.size).toBeGreaterThan(10);
}, 30_000);

describe('published declarations', () => {
  it('keep stripInternal on', () => {
    expect(sourceProgram.getCompilerOptions().stripInternal).toBe(true);
  });

  it('name no _-prefixed member and nothing marked @internal', () => {
    const internal = new Set<Place>();
    for (const source of sourceProgram.getSourceFiles()) {
      if (source.isDeclarationFile || !source.fileName.startsWith(root)) continue;
      visit(source, relative(root, source.fileName), (node, place) => {
        if (ts.getJSDocTags(node).some((tag) => tag.tagName.text === 'internal')) internal.add(place);
      });
    }
    // The sealed session's internals must be among what the check looks for.
    for (const place of [
      'src/session.ts#sessionInternals',
      'src/session-internals.ts#SessionInternals',
      'src/session-io.ts#SessionIO',
      'src/session-commit.ts#commitSession',
      'src/users.ts#UserSessions',
    ]) {
      expect(internal).toContain(place);
    }

    const exposed: Place[] = [];
    for (const [file, text] of declarations) {
      const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
      const sourcePath = relative(outDir, file).replace(/\.d\.ts$/, '.ts');
      visit(source, sourcePath, (_node, place, name) => {
        if (name.startsWith('_') || internal.has(place)) exposed.push(place);
      });
    }
    expect(exposed).toEqual([]);
  });

  it('give Session and SessionManager exactly their public members (an API report: update it deliberately)', () => {
    const members = (file: string, className: string): string[] => {
      const text = declarations.get(join(outDir, file));
      if (text === undefined) throw new Error(`${file} was not emitted`);
      const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
      const found = source.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === className);
      if (found === undefined) throw new Error(`${className} is not declared in ${file}`);
      return found.members.filter((member) => !isPrivate(member)).map((member) => nameOf(member) ?? ts.SyntaxKind[member.kind]!);
    };
    expect(members('src/session.d.ts', 'Session').sort()).toEqual(
      [
        'status',
        'token',
        'deadline',
        'setDeadline',
        'get',
        'put',
        'pop',
        'remove',
        'clear',
        'exists',
        'keys',
        'getString',
        'getNumber',
        'getBool',
        'getBytes',
        'getDate',
        'popString',
        'popNumber',
        'popBool',
        'popBytes',
        'popDate',
        'rememberMe',
        'renewToken',
        'destroy',
        'mergeSession',
        'login',
        'userId',
        'handle',
      ].sort(),
    );
    expect(members('src/manager.d.ts', 'SessionManager').sort()).toEqual(
      [
        'store',
        'lifetime',
        'idleTimeout',
        'cookie',
        'codec',
        'hashTokenInStore',
        'maxSessionBytes',
        'decodeCacheBytes',
        'onError',
        'Constructor',
        'tokenFromCookie',
        'load',
        'loadNow',
        'commit',
        'saveNow',
        'setCookieHeader',
        'iterate',
        'expiryOf',
        'maxSessionsPerUser',
        'listSessions',
        'destroySession',
        'destroySessions',
      ].sort(),
    );
  });

  it('compile for a strict consumer with skipLibCheck off (nothing refers to a stripped name)', () => {
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      types: ['node'],
    };
    const host = cachingHost(options);
    const { fileExists, readFile, directoryExists, getSourceFile } = host;
    host.fileExists = (file) => declarations.has(file) || fileExists.call(host, file);
    host.readFile = (file) => declarations.get(file) ?? readFile.call(host, file);
    host.directoryExists = (dir) => dir.startsWith(outDir) || directoryExists?.call(host, dir) === true;
    host.getSourceFile = (file, language, onError) => {
      const text = declarations.get(file);
      return text === undefined ? getSourceFile.call(host, file, language, onError) : ts.createSourceFile(file, text, language);
    };
    const program = ts.createProgram([...declarations.keys()], options, host);
    // Only our declarations are judged (some dependencies' own fail skipLibCheck: false), which keeps it fast.
    const ours = program.getSourceFiles().filter((source) => declarations.has(source.fileName));
    expect(ours).toHaveLength(declarations.size);
    const problems = [
      ...program.getOptionsDiagnostics(),
      ...ours.flatMap((source) => [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]),
    ];
    expect(problems.map(describeDiagnostic)).toEqual([]);
  }, 30_000);
});

/** Calls `found` for every named declaration, with its place and name. */
function visit(node: ts.Node, file: string, found: (node: ts.Node, place: Place, name: string) => void, container = ''): void {
  let inner = container;
  const name = nameOf(node);
  if (name !== undefined && isDeclaration(node)) {
    inner = container === '' ? name : `${container}.${name}`;
    found(node, `${file}#${inner}`, name);
  }
  ts.forEachChild(node, (child) => visit(child, file, found, inner));
}

function isDeclaration(node: ts.Node): boolean {
  return (
    ts.isClassDeclaration(node) ||
    ts.isInterfaceDeclaration(node) ||
    ts.isTypeAliasDeclaration(node) ||
    ts.isFunctionDeclaration(node) ||
    ts.isVariableDeclaration(node) ||
    ts.isEnumDeclaration(node) ||
    ts.isModuleDeclaration(node) ||
    ts.isClassElement(node) ||
    ts.isTypeElement(node)
  );
}

function nameOf(node: ts.Node): string | undefined {
  const name = (node as { name?: ts.Node }).name;
  if (name === undefined) return undefined;
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name)) return name.text;
  return undefined;
}

function isPrivate(member: ts.ClassElement): boolean {
  if (member.name !== undefined && ts.isPrivateIdentifier(member.name)) return true;
  return (ts.getCombinedModifierFlags(member as unknown as ts.Declaration) & ts.ModifierFlags.Private) !== 0;
}

function describeDiagnostic(diagnostic: ts.Diagnostic): string {
  const where = diagnostic.file === undefined ? '' : `${relative(root, diagnostic.file.fileName)}: `;
  return where + ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
}
