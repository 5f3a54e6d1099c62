// Regenerates the committed k8s/ directory from the package: `npm run render` (writes) or
// `npm run render -- --check` (exits 1 when k8s/ is out of date, writes nothing).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { diffK8sTree, RENDER_COMMAND, writeK8sTree } from '../k8s-tree.js';

// dist/cli/render.js → the repository root is four levels up.
const repoRoot = resolve(fileURLToPath(new URL('../../../../', import.meta.url)));

const { values } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    out: { type: 'string', default: resolve(repoRoot, 'k8s') },
  },
});
const out = resolve(values.out);

if (values.check) {
  const problems = diffK8sTree(out);
  if (problems.length > 0) {
    console.error(`${out} is out of date; regenerate it with \`${RENDER_COMMAND}\`:`);
    for (const problem of problems) console.error(`  ${problem}`);
    process.exitCode = 1;
  } else {
    console.log(`${out} is up to date`);
  }
} else {
  const { written, removed } = writeK8sTree(out);
  for (const path of removed) console.log(`removed ${path}`);
  console.log(`wrote ${written.length} files to ${out}`);
}
