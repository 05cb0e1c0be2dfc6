// TypeDoc plugin: names each entry point's module for the import that loads it (`sessionkit/uws`, not `src/adapters/uws`), from package.json's exports.
import { readFileSync } from 'node:fs';
import { Converter, ReflectionKind } from 'typedoc';

const { exports } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/** `src/adapters/uws` -> `sessionkit/uws`, from `"./uws": { "types": "./dist/src/adapters/uws.d.ts" }`. */
const importNames = new Map(
  Object.entries(exports)
    .filter(([, target]) => typeof target === 'object' && typeof target.types === 'string')
    .map(([subpath, target]) => [
      target.types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '').replace(/\/index$/, ''),
      `sessionkit${subpath.slice(1)}`,
    ]),
);

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Module) || context.scope !== context.project) return;
    const name = importNames.get(reflection.name);
    if (name === undefined) {
      app.logger.error(`api docs: the entry point ${reflection.name} is not a subpath export in package.json`);
      return;
    }
    reflection.name = name;
  });
}
