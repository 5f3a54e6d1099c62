import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { getContainerRuntimeClient } from 'testcontainers';
import type { ContainerRuntimeClient } from 'testcontainers';
import type { TestProject } from 'vitest/node';
import { isCi } from '../harness/ci.js';
import { buildServiceImage, chooseNodeImage, presentIn } from '../harness/image.js';
import { REPO_ROOT } from '../harness/paths.js';
import { type IntegrationEnvironment, NO_ENGINE_HINT, RUN_LABEL } from './support/environment.js';

const ENGINE_TIMEOUT_MS = 15_000;

/**
 * Builds the service image twice from docker/Dockerfile (the second build is the rolling update's
 * target) and hands the names to the test files. Skips the suite with a message when no Docker
 * engine answers; in CI that is an error instead, so the suite can never pass there by not running.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Ryuk's image cannot be pulled here; the suite removes what it creates itself.
  process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';

  const client = await reachEngine();
  if (typeof client === 'string') {
    const reason = `no Docker engine is reachable (${client}). ${NO_ENGINE_HINT}`;
    if (isCi()) throw new Error(`Integration suite cannot run in CI: ${reason}`);
    console.warn(`\n[integration] SKIPPING the Docker integration suite: ${reason}\n`);
    project.provide('integration', { available: false, reason });
    return async () => {};
  }

  const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const nodeImage = await chooseNodeImage(presentIn(client));
  const revision = gitRevision();
  const image = `stateful-visits/visits:it-${runId}`;
  const nextImage = `stateful-visits/visits:it-${runId}-next`;
  const version = `0.0.0-it.${runId}`;
  const nextVersion = `0.0.0-it.${runId}.next`;

  const started = Date.now();
  await buildServiceImage(image, {
    NODE_IMAGE: nodeImage,
    VERSION: version,
    REVISION: revision,
  });
  await buildServiceImage(nextImage, {
    NODE_IMAGE: nodeImage,
    VERSION: nextVersion,
    REVISION: revision,
  });
  console.info(
    `[integration] built ${image} and ${nextImage} from ${nodeImage} in ${Math.round((Date.now() - started) / 1000)}s`,
  );

  const environment: IntegrationEnvironment = {
    available: true,
    runId,
    image,
    version,
    revision,
    nextImage,
    nextVersion,
    nodeImage,
  };
  project.provide('integration', environment);

  return async () => {
    await sweep(client, runId);
    for (const name of [image, nextImage]) {
      await client.container.dockerode
        .getImage(name)
        .remove()
        .catch((error: unknown) =>
          console.warn(`[integration] could not remove ${name}: ${String(error)}`),
        );
    }
  };
}

async function reachEngine(): Promise<ContainerRuntimeClient | string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const client = await Promise.race([
      getContainerRuntimeClient(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${ENGINE_TIMEOUT_MS / 1000}s`)),
          ENGINE_TIMEOUT_MS,
        );
      }),
    ]);
    await client.container.dockerode.ping();
    return client;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}

function gitRevision(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** Backstop for anything a test file left behind (a crashed worker, a failed start). */
async function sweep(client: ContainerRuntimeClient, runId: string): Promise<void> {
  const docker = client.container.dockerode;
  const filters = JSON.stringify({ label: [`${RUN_LABEL}=${runId}`] });
  const failures: string[] = [];
  const attempt = async (what: string, action: () => Promise<unknown>): Promise<void> => {
    try {
      await action();
    } catch (error) {
      failures.push(`${what}: ${String(error)}`);
    }
  };
  for (const info of await docker.listContainers({ all: true, filters })) {
    await attempt(`container ${info.Id}`, () =>
      docker.getContainer(info.Id).remove({ force: true, v: true }),
    );
  }
  for (const info of await docker.listNetworks({ filters })) {
    await attempt(`network ${info.Name}`, () => docker.getNetwork(info.Id).remove());
  }
  const { Volumes: volumes } = await docker.listVolumes({ filters });
  for (const info of volumes ?? []) {
    await attempt(`volume ${info.Name}`, () => docker.getVolume(info.Name).remove());
  }
  if (failures.length > 0) {
    throw new Error(`[integration] cleanup left resources behind:\n${failures.join('\n')}`);
  }
}
