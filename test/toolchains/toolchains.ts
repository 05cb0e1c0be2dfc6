// The TypeScript and vitest majors the tests run under: the repository's own, and the newer ones installed in this folder.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

export interface Toolchain {
  /** `TypeScript 5.9.3`, how a test title names it. */
  name: string;
  major: number;
  /** The package's folder. */
  dir: string;
}

function toolchain(label: string, dir: string): Toolchain {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) {
    throw new Error(`${label} is not installed in ${dirname(dirname(dir))}: run \`npm run toolchains\` (npm test runs it)`);
  }
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return { name: `${label} ${version}`, major: Number(version.split('.')[0]), dir };
}

/** Each TypeScript compiler, oldest first; run its command with `node <dir>/bin/tsc`. */
export function typescripts(): Toolchain[] {
  return [toolchain('TypeScript', join(root, 'node_modules/typescript')), toolchain('TypeScript', join(here, 'node_modules/typescript'))];
}

/** Each vitest, oldest first; run its command with `node <dir>/vitest.mjs`. */
export function vitests(): Toolchain[] {
  return [toolchain('vitest', join(root, 'node_modules/vitest')), toolchain('vitest', join(here, 'node_modules/vitest'))];
}
