import { mkdirSync, mkdtempDisposableSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DATA_FILES } from '../data-dir.js';
import { environment } from '../environment.js';
import { FLEET_PATH, OPS_PATHS, READY_HEADER } from '../http.js';
import { METRIC_NAMES } from '../metrics.js';
import { configurationTable } from './configuration-table.js';
import {
  DOCS_COMMAND,
  diffGeneratedDocs,
  GENERATED_DOCS,
  GENERATED_FILES,
  GeneratedDocsError,
  withGeneratedTables,
  writeGeneratedDocs,
} from './generated-docs.js';
import { volumeSizingTable } from './volume-table.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

describe('the generated tables in the docs', () => {
  it('are what the contract renders', () => {
    expect(
      diffGeneratedDocs(repoRoot),
      `the docs' generated tables differ from packages/visits-contract; regenerate them with \`${DOCS_COMMAND}\` and commit the result`,
    ).toEqual([]);
  });

  it('size volumes by RECENT_VISITS, the default marked', () => {
    const table = volumeSizingTable();
    expect(table).toMatch(/\| 100 \(default\) +\| 8Ki +\| 36Ki +\| 40Ki +\| 500Ki +\| 1Mi +\|/);
    expect(table).toMatch(/\| 1000 +\| 40Ki +\| 100Ki +\| 40Ki +\| 500Ki +\| 1Mi +\|/);
  });

  it('list every variable with its default and what it accepts', () => {
    const table = configurationTable();
    for (const v of Object.values(environment)) {
      expect(table).toContain(`| \`${v.name}\``);
      expect(table).toContain(v.docs.accepted);
    }
    expect(table).toMatch(/\| `RECENT_VISITS` +\| `100` +\| integer 1–1000: /);
  });
});

describe('docs/contract.md', () => {
  it('names every route, metric and data file of the contract', () => {
    const page = readFileSync(join(repoRoot, 'docs/contract.md'), 'utf8');
    const names = [
      ...OPS_PATHS,
      FLEET_PATH,
      READY_HEADER,
      ...Object.values(METRIC_NAMES),
      DATA_FILES.count,
      DATA_FILES.journal,
      DATA_FILES.lock,
    ];
    // A name stands as code: after a backtick or a space, before a backtick or a label set.
    for (const name of names) {
      expect(page, name).toMatch(new RegExp(`[\\s\`]${name.replace(/\./g, '\\.')}[\`{]`));
    }
  });
});

describe('writeGeneratedDocs and diffGeneratedDocs', () => {
  it('find a stale table, rewrite only what lies between the markers, and then agree', () => {
    using tmp = mkdtempDisposableSync(join(tmpdir(), 'contract-docs-'));
    const dir = tmp.path;
    mkdirSync(join(dir, 'docs'));
    for (const file of GENERATED_FILES) {
      const current = readFileSync(join(repoRoot, file), 'utf8');
      const stale = current
        .replace(/\| integer 1–1000/, '| integer 1–999')
        .replace(/\| 36Ki/, '| 35Ki');
      expect(stale, file).not.toBe(current);
      writeFileSync(join(dir, file), stale);
    }
    expect(diffGeneratedDocs(dir)).toEqual(GENERATED_FILES.map((file) => `differs: ${file}`));

    expect(writeGeneratedDocs(dir)).toEqual(GENERATED_FILES);
    expect(diffGeneratedDocs(dir)).toEqual([]);
    for (const file of GENERATED_FILES) {
      expect(readFileSync(join(dir, file), 'utf8')).toBe(
        readFileSync(join(repoRoot, file), 'utf8'),
      );
    }
  });

  it('say which markers to add when a file has lost them', () => {
    expect(() => withGeneratedTables('# Configuration\n', 'README.md')).toThrow(GeneratedDocsError);
    expect(() => withGeneratedTables('# Configuration\n', 'README.md')).toThrow(
      /README\.md has no generated configuration table: put these two lines .*\n<!-- Generated/,
    );
    expect(() => withGeneratedTables('# Deploying\n', 'docs/deployment.md')).toThrow(
      /docs\/deployment\.md has no generated volume sizing table: .*\n<!-- Volume sizing, generated/,
    );
    expect(Object.keys(GENERATED_DOCS)).toEqual(GENERATED_FILES);
  });
});
