import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ClusterEnvironment } from './support/cluster-environment.js';
import { chooseTarget, considersKind } from './support/target.js';
import { missingTools } from './support/tools.js';

const repoRoot = resolve(import.meta.dirname, '../../..');
const log = (line: string) => console.info(`[cluster] ${line.replaceAll('\n', '\n[cluster] ')}`);

/**
 * Picks the target cluster, builds and delivers the image, reads what the server supports and
 * deploys the kind overlay (through the compatibility step where the server is older), then hands
 * the deployment to the test file. With no target it skips the suite, saying why; with
 * CLUSTER_REQUIRED=1 (the local cluster's run) that is an error instead.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const kindMissing = considersKind(process.env)
    ? await missingTools(['kind', 'kubectl', 'docker'])
    : [];
  const choice = chooseTarget(
    process.env,
    kindMissing.length === 0 ? { ok: true } : { ok: false, missing: kindMissing },
  );
  if ('skip' in choice) {
    if (process.env['CLUSTER_REQUIRED'] === '1') {
      throw new Error(`cluster suite: CLUSTER_REQUIRED=1 but ${choice.skip}`);
    }
    console.warn(
      `\n[cluster] SKIPPING the cluster suite: ${choice.skip}. ` +
        '`npm run test:cluster:local` builds and starts a local cluster for it (as root, on Debian); ' +
        'the manifests themselves are checked by the unit tests (`npm test`).\n',
    );
    project.provide('cluster', { available: false, reason: choice.skip });
    return async () => {};
  }

  if (choice.target.kind === 'existing') {
    const missing = await missingTools(['kubectl', 'docker']);
    if (missing.length > 0) {
      throw new Error(`cluster suite: CLUSTER_CONTEXT is set, but ${missing.join('; ')}`);
    }
  }

  const runId = runIdFrom(process.env['CLUSTER_RUN_ID']);
  const started = Date.now();
  const { environment, context } = await ClusterEnvironment.start({
    repoRoot,
    runId,
    target: choice.target,
    log,
  });
  log(`deployed and rolled out in ${Math.round((Date.now() - started) / 1000)}s`);
  project.provide('cluster', context);

  return async () => {
    const stopping = Date.now();
    await environment.stop();
    log(`removed what the suite created in ${Math.round((Date.now() - stopping) / 1000)}s`);
  };
}

/** CLUSTER_RUN_ID (the local cluster's run names it, to remove the images after an interruption), or a new one. */
function runIdFrom(given: string | undefined): string {
  if (given === undefined || given === '') {
    return `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  }
  if (!/^[a-z0-9]{1,40}$/.test(given)) {
    throw new Error(
      `CLUSTER_RUN_ID=${given}: use 1 to 40 lowercase letters and digits (it names the namespace and the image tags)`,
    );
  }
  return given;
}
