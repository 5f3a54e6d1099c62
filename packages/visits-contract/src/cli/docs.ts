// Regenerates the tables the docs hold from the contract (configuration: README.md and
// docs/contract.md; volume sizing: docs/deployment.md):
// `npm run docs` (writes) or `npm run docs -- --check` (exits 1 when a table is stale, writes nothing).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DOCS_COMMAND, diffGeneratedDocs, writeGeneratedDocs } from '../docs/generated-docs.js';

// dist/cli/docs.js → the repository root is four levels up.
const repoRoot = resolve(fileURLToPath(new URL('../../../../', import.meta.url)));
const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });

if (values.check) {
  const problems = diffGeneratedDocs(repoRoot);
  if (problems.length > 0) {
    console.error(
      `the docs' generated tables are out of date; regenerate them with \`${DOCS_COMMAND}\`:`,
    );
    for (const problem of problems) console.error(`  ${problem}`);
    process.exitCode = 1;
  } else {
    console.log("the docs' generated tables are up to date");
  }
} else {
  const changed = writeGeneratedDocs(repoRoot);
  console.log(changed.length === 0 ? 'nothing to change' : `rewrote ${changed.join(', ')}`);
}
