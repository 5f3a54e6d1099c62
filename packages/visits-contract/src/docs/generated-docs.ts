import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configurationTable } from './configuration-table.js';
import { volumeSizingTable } from './volume-table.js';

/** The command that regenerates the tables in the docs. */
export const DOCS_COMMAND = 'npm run docs -w @stateful-visits/visits-contract';

/** A table the docs hold, generated from the contract between two marker lines. */
interface GeneratedTable {
  /** What the table is, for the message when its markers are missing. */
  readonly title: string;
  readonly begin: string;
  readonly render: () => string;
}

const END = '<!-- End of the generated table. -->';

const TABLES = {
  configuration: {
    title: 'configuration table',
    begin: `<!-- Generated from packages/visits-contract. Do not edit: run ${DOCS_COMMAND} -->`,
    render: configurationTable,
  },
  volumeSizing: {
    title: 'volume sizing table',
    begin: `<!-- Volume sizing, generated from packages/visits-contract. Do not edit: run ${DOCS_COMMAND} -->`,
    render: volumeSizingTable,
  },
} satisfies Record<string, GeneratedTable>;

/** Files (relative to the repository root) that hold generated tables, and which ones. */
export const GENERATED_DOCS = {
  'README.md': ['configuration'],
  'docs/contract.md': ['configuration'],
  'docs/deployment.md': ['volumeSizing'],
} as const satisfies Record<string, readonly (keyof typeof TABLES)[]>;

export type GeneratedDoc = keyof typeof GENERATED_DOCS;
export const GENERATED_FILES = Object.keys(GENERATED_DOCS) as GeneratedDoc[];

/** Thrown when a file that should hold a generated table has lost its markers. */
export class GeneratedDocsError extends Error {
  override readonly name = 'GeneratedDocsError';
}

function withTable(markdown: string, file: string, table: GeneratedTable): string {
  const begin = markdown.indexOf(table.begin);
  const end = markdown.indexOf(END, begin);
  if (begin < 0 || end < 0) {
    throw new GeneratedDocsError(
      `${file} has no generated ${table.title}: put these two lines where it belongs, ` +
        `then run ${DOCS_COMMAND}\n${table.begin}\n${END}`,
    );
  }
  return `${markdown.slice(0, begin)}${table.begin}\n\n${table.render()}\n\n${markdown.slice(end)}`;
}

/** `markdown` (the text of `file`) with each of its tables replaced by the contract's current one. */
export function withGeneratedTables(markdown: string, file: GeneratedDoc): string {
  return GENERATED_DOCS[file].reduce((text, name) => withTable(text, file, TABLES[name]), markdown);
}

/** The files under `repoRoot` whose tables differ from the contract, each with its updated text. */
function staleDocs(repoRoot: string) {
  return GENERATED_FILES.flatMap((file) => {
    const path = join(repoRoot, file);
    const markdown = readFileSync(path, 'utf8');
    const updated = withGeneratedTables(markdown, file);
    return updated === markdown ? [] : [{ file, path, updated }];
  });
}

/** One line per file under `repoRoot` whose tables differ from the contract; empty when in step. */
export function diffGeneratedDocs(repoRoot: string): string[] {
  return staleDocs(repoRoot).map(({ file }) => `differs: ${file}`);
}

/** Rewrites the tables under `repoRoot`; returns the files that changed. */
export function writeGeneratedDocs(repoRoot: string): string[] {
  const stale = staleDocs(repoRoot);
  for (const { path, updated } of stale) writeFileSync(path, updated);
  return stale.map(({ file }) => file);
}
