import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configurationTable } from './configuration-table.js';

/** The command that regenerates the tables in the docs. */
export const DOCS_COMMAND = 'npm run docs -w @stateful-visits/visits-contract';

/** Files (relative to the repository root) that hold a generated configuration table. */
export const GENERATED_DOCS = ['README.md', 'docs/contract.md'] as const;

const BEGIN = `<!-- Generated from packages/visits-contract. Do not edit: run ${DOCS_COMMAND} -->`;
const END = '<!-- End of the generated table. -->';

/** Thrown when a file that should hold a generated table has lost its markers. */
export class GeneratedDocsError extends Error {
  override readonly name = 'GeneratedDocsError';
}

/** `markdown` with the table between its markers replaced by the contract's current one. */
export function withGeneratedTable(markdown: string, file: string): string {
  const begin = markdown.indexOf(BEGIN);
  const end = markdown.indexOf(END, begin);
  if (begin < 0 || end < 0) {
    throw new GeneratedDocsError(
      `${file} has no generated configuration table: put these two lines where it belongs, ` +
        `then run ${DOCS_COMMAND}\n${BEGIN}\n${END}`,
    );
  }
  return `${markdown.slice(0, begin)}${BEGIN}\n\n${configurationTable()}\n\n${markdown.slice(end)}`;
}

/** One line per file under `repoRoot` whose table differs from the contract; empty when in step. */
export function diffGeneratedDocs(repoRoot: string): string[] {
  return GENERATED_DOCS.filter((file) => {
    const markdown = readFileSync(join(repoRoot, file), 'utf8');
    return withGeneratedTable(markdown, file) !== markdown;
  }).map((file) => `differs: ${file}`);
}

/** Rewrites the tables under `repoRoot`; returns the files that changed. */
export function writeGeneratedDocs(repoRoot: string): string[] {
  const changed: string[] = [];
  for (const file of GENERATED_DOCS) {
    const path = join(repoRoot, file);
    const markdown = readFileSync(path, 'utf8');
    const updated = withGeneratedTable(markdown, file);
    if (updated !== markdown) {
      writeFileSync(path, updated);
      changed.push(file);
    }
  }
  return changed;
}
