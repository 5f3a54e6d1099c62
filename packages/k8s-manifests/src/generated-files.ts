import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Compares `dir` with `files` (relative path → content): one line per file that is missing,
 * differs, or is `owned` (a file the generator may remove) but no longer generated. Empty when
 * `dir` is up to date.
 */
export function diffGeneratedFiles(
  dir: string,
  files: ReadonlyMap<string, string>,
  owned: readonly string[],
): string[] {
  const problems: string[] = [];
  for (const [path, content] of files) {
    let actual: string | undefined;
    try {
      actual = readFileSync(join(dir, path), 'utf8');
    } catch {
      actual = undefined;
    }
    if (actual === undefined) problems.push(`missing: ${path}`);
    else if (actual !== content) problems.push(`differs: ${path}`);
  }
  for (const path of owned) {
    if (!files.has(path)) problems.push(`not generated (stale): ${path}`);
  }
  return problems.sort();
}

/** Writes `files` into `dir` and removes the `owned` files it no longer generates. */
export function writeGeneratedFiles(
  dir: string,
  files: ReadonlyMap<string, string>,
  owned: readonly string[],
): { written: string[]; removed: string[] } {
  const removed = owned.filter((path) => !files.has(path));
  for (const path of removed) rmSync(join(dir, path));
  for (const [path, content] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return { written: [...files.keys()].sort(), removed };
}
