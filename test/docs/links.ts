// Markdown link extraction, GitHub-style heading anchors, and the package's `files` rule, for the link test.

/** A link to a file or folder of the repository on GitHub: the first group is its path. */
export const REPOSITORY_FILE = /^https:\/\/github\.com\/sessionkit\/sessionkit\/(?:blob|tree)\/main\/([^#?]+)/;

/** The text of a markdown document without fenced code blocks and inline code spans. */
function withoutCode(text: string): string {
  return text.replace(/^(\s*)(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\s*\2[^\n]*$/gm, '').replace(/(`+)[^`]*?\1/g, '');
}

/** Link targets of a markdown text: inline links and images, reference definitions, autolinks. */
export function linksOf(text: string): string[] {
  const prose = withoutCode(text);
  const links: { at: number; target: string }[] = [];
  for (const match of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ at: match.index, target: match[1]! });
  for (const match of prose.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)) links.push({ at: match.index, target: match[1]! });
  for (const match of prose.matchAll(/<(https?:\/\/[^>\s]+)>/g)) links.push({ at: match.index, target: match[1]! });
  return links.sort((a, b) => a.at - b.at).map((link) => link.target);
}

/**
 * The anchors of a document: those GitHub (and the npm registry) give its headings (lower case,
 * punctuation dropped, spaces as hyphens, repeats numbered), and its explicit `<a id>` anchors.
 */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of withoutCodeBlocks(text).matchAll(/^ {0,3}#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = match[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  for (const match of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(match[1]!); // explicit HTML anchors
  return anchors;
}

function withoutCodeBlocks(text: string): string {
  return text.replace(/^(\s*)(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\s*\2[^\n]*$/gm, '');
}

/** Whether npm packs `path` (relative to the package root) under package.json's `files` (a later `!pattern` excludes). */
export function isShipped(path: string, files: string[]): boolean {
  if (['package.json', 'README.md', 'LICENSE'].includes(path)) return true;
  let shipped = false;
  for (const entry of files) {
    const negated = entry.startsWith('!');
    const pattern = (negated ? entry.slice(1) : entry).replace(/\/$/, '');
    if (path === pattern || path.startsWith(`${pattern}/`)) shipped = !negated;
  }
  return shipped;
}
