// Regenerates the committed k8s/monitoring/ directory (the Prometheus rules file and the Grafana
// dashboard): `npm run render:monitoring` (writes) or `npm run render:monitoring -- --check`
// (exits 1 when k8s/monitoring/ is out of date, writes nothing).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  diffMonitoringFiles,
  RENDER_MONITORING_COMMAND,
  writeMonitoringFiles,
} from '../monitoring/monitoring-files.js';

// dist/cli/render-monitoring.js → the repository root is four levels up.
const repoRoot = resolve(fileURLToPath(new URL('../../../../', import.meta.url)));

const { values } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    out: { type: 'string', default: resolve(repoRoot, 'k8s/monitoring') },
  },
});
const out = resolve(values.out);

if (values.check) {
  const problems = diffMonitoringFiles(out);
  if (problems.length > 0) {
    console.error(`${out} is out of date; regenerate it with \`${RENDER_MONITORING_COMMAND}\`:`);
    for (const problem of problems) console.error(`  ${problem}`);
    process.exitCode = 1;
  } else {
    console.log(`${out} is up to date`);
  }
} else {
  const { written, removed } = writeMonitoringFiles(out);
  for (const name of removed) console.log(`removed ${name}`);
  console.log(`wrote ${written.join(', ')} to ${out}`);
}
