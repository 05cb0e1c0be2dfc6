// The packages the README's Install section tells a user to install, read from its `npm install` commands.

/** The name a package spec installs under: `pg`, `@types/pg`, `uWebSockets.js` (from `a@npm:b`, `owner/repo#tag`). */
export function installedName(spec: string): string {
  const alias = /^((?:@[^/@]+\/)?[^/@]+)@npm:/.exec(spec);
  if (alias !== null) return alias[1]!;
  const github = /^(?:github:)?[\w.-]+\/([\w.-]+)(?:#.*)?$/.exec(spec);
  if (github !== null && !spec.startsWith('@')) return github[1]!;
  return spec.replace(/(.)@[^/]*$/, '$1');
}

/** Every package named by an `npm install ...` code span of the README's Install section, sessionkit excepted. */
export function documentedInstalls(readme: string): string[] {
  const start = readme.indexOf('\n## Install\n');
  if (start === -1) throw new Error('README.md has no "## Install" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const names = new Set<string>();
  for (const [, command] of section.matchAll(/`npm install ([^`]+)`/g)) {
    for (const spec of command!.split(/\s+/)) {
      if (spec.startsWith('-')) continue;
      const name = installedName(spec);
      if (name !== 'sessionkit') names.add(name);
    }
  }
  return [...names].sort();
}

/** Every package named by an `npm install ...` code span of a docs page (the README's Install section excepted, read above), sessionkit excepted. */
export function pageInstalls(markdown: string): string[] {
  const names = new Set<string>();
  for (const [, command] of markdown.matchAll(/`npm install ([^`]+)`/g)) {
    for (const spec of command!.split(/\s+/)) {
      if (spec.startsWith('-') || spec === '') continue;
      const name = installedName(spec);
      if (name !== 'sessionkit') names.add(name);
    }
  }
  return [...names].sort();
}
