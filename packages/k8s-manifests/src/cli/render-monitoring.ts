// Regenerates the committed k8s/monitoring/ directory (the Prometheus rules file and the Grafana
// dashboard): `npm run render:monitoring` (writes) or `npm run render:monitoring -- --check`
// (exits 1 when k8s/monitoring/ is out of date, writes nothing).
import {
  diffMonitoringFiles,
  RENDER_MONITORING_COMMAND,
  writeMonitoringFiles,
} from '../monitoring/monitoring-files.js';
import { runRenderCli } from './render-cli.js';

runRenderCli({
  dir: 'k8s/monitoring',
  command: RENDER_MONITORING_COMMAND,
  diff: diffMonitoringFiles,
  write: writeMonitoringFiles,
  summary: (written, out) => `wrote ${written.join(', ')} to ${out}`,
});
