// The server's anonymous resident memory: RSS without the file-backed pages (code, and LMDB's memory map, which the kernel can drop).
import { readFileSync } from 'node:fs';

/** RssAnon from /proc/self/status in bytes; the whole RSS where that file does not exist. */
export function anonymousRss(): number {
  try {
    const match = /^RssAnon:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match !== null) return Number(match[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.memoryUsage.rss();
}
