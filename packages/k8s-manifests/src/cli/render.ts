// Regenerates the committed k8s/ directory from the package: `npm run render` (writes) or
// `npm run render -- --check` (exits 1 when k8s/ is out of date, writes nothing).
import { diffK8sTree, RENDER_COMMAND, writeK8sTree } from '../k8s-tree.js';
import { runRenderCli } from './render-cli.js';

runRenderCli({
  dir: 'k8s',
  command: RENDER_COMMAND,
  diff: diffK8sTree,
  write: writeK8sTree,
  summary: (written, out) => `wrote ${written.length} files to ${out}`,
});
