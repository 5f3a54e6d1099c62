import { GenericContainer, getContainerRuntimeClient, Wait } from 'testcontainers';
import type { StartedTestContainer } from 'testcontainers';
import { HEALTH_PATHS } from '@stateful-visits/visits-contract';
import { RUN_LABEL } from './environment.js';
import {
  exitOf,
  logsOf,
  OPS_PORT,
  Replica,
  SERVICE_PORT,
  type Docker,
  type Exited,
} from './replica.js';

const STARTUP_TIMEOUT_MS = 60_000;

/** The runtime every container of the suite gets, as a restricted Kubernetes pod would. */
interface HardenedHostConfig {
  Binds: string[];
  ReadonlyRootfs: boolean;
  CapDrop: string[];
  SecurityOpt: string[];
  Tmpfs: Record<string, string>;
}

function hardenedHostConfig(dataSource: string): HardenedHostConfig {
  return {
    // A named volume (like a PVC) or an absolute host path, always at /data.
    Binds: [`${dataSource}:/data`],
    ReadonlyRootfs: true,
    CapDrop: ['ALL'],
    SecurityOpt: ['no-new-privileges:true'],
    Tmpfs: { '/tmp': 'rw,noexec,nosuid,size=16m' },
  };
}

/**
 * GenericContainer has no builder for a read-only root; the one host config above serves both
 * the replicas it starts and the containers run to their exit (which it cannot wait for), so it
 * is set the way GenericContainer sets its own.
 */
class ServiceContainer extends GenericContainer {
  withHardenedHostConfig(config: HardenedHostConfig): this {
    Object.assign(this.hostConfig, config);
    return this;
  }
}

export interface ReplicaOptions {
  /** The stable identity, like a StatefulSet pod: network alias and hostname (so the pod name). */
  readonly name: string;
  /** More network aliases, e.g. one every replica shares: Docker's DNS answers it with all of them. */
  readonly aliases?: readonly string[];
  /** Named volume, or an absolute host path, mounted at /data. */
  readonly data: string;
  readonly image?: string;
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Creates networks, volumes and containers for one test file and removes all of them in
 * dispose(), also when a test failed half-way. Everything carries the run label as well, so the
 * global teardown sweeps whatever a crashed worker left behind.
 */
export class DockerFixture {
  private readonly containers = new Set<string>();
  private readonly networks = new Set<string>();
  private readonly volumes = new Set<string>();
  private sequence = 0;
  readonly docker: Docker;
  readonly image: string;
  readonly network: string;
  private readonly runId: string;

  private constructor(docker: Docker, runId: string, image: string, network: string) {
    this.docker = docker;
    this.runId = runId;
    this.image = image;
    this.network = network;
  }

  static async create(runId: string, image: string): Promise<DockerFixture> {
    const { dockerode } = (await getContainerRuntimeClient()).container;
    const name = `visits-it-${runId}-${Math.random().toString(36).slice(2, 8)}`;
    await dockerode.createNetwork({ Name: name, Driver: 'bridge', Labels: { [RUN_LABEL]: runId } });
    const fixture = new DockerFixture(dockerode, runId, image, name);
    fixture.networks.add(name);
    return fixture;
  }

  private uniqueName(base: string): string {
    this.sequence += 1;
    return `visits-it-${this.runId}-${base}-${this.sequence}-${Math.random().toString(36).slice(2, 6)}`;
  }

  async createVolume(): Promise<string> {
    const name = this.uniqueName('data');
    await this.docker.createVolume({ Name: name, Labels: { [RUN_LABEL]: this.runId } });
    this.volumes.add(name);
    return name;
  }

  private labels(replica: string): Record<string, string> {
    return { [RUN_LABEL]: this.runId, 'org.stateful-visits.replica': replica };
  }

  /** Starts a hardened replica on the fixture's network and waits until /health/ready is 200 (ops port). */
  async startReplica(options: ReplicaOptions): Promise<Replica> {
    const containerName = this.uniqueName(options.name);
    const image = options.image ?? this.image;
    const container = new ServiceContainer(image)
      .withName(containerName)
      .withHostname(options.name)
      .withNetworkMode(this.network)
      .withNetworkAliases(options.name, ...(options.aliases ?? []))
      .withLabels(this.labels(options.name))
      .withEnvironment({ ...options.env })
      .withHardenedHostConfig(hardenedHostConfig(options.data))
      .withExposedPorts(SERVICE_PORT, OPS_PORT)
      .withWaitStrategy(Wait.forHttp(HEALTH_PATHS.ready, OPS_PORT).forStatusCode(200))
      .withStartupTimeout(STARTUP_TIMEOUT_MS);
    this.containers.add(containerName);
    let started: StartedTestContainer;
    try {
      started = await container.start();
    } catch (error) {
      const logs = await logsOf(this.docker.getContainer(containerName)).catch(() => '(no logs)');
      throw new Error(
        `${options.name} (${image}) did not become ready: ${String(error)}\n${logs}`,
        {
          cause: error,
        },
      );
    }
    this.containers.add(started.getId());
    return new Replica(options.name, image, started, this.docker.getContainer(started.getId()));
  }

  /**
   * Runs a hardened container that is expected to stop by itself (a refused start) and returns how
   * it ended. Fails if it is still running after timeoutMs.
   */
  async runToExit(options: ReplicaOptions, timeoutMs = 30_000): Promise<Exited> {
    const name = this.uniqueName(options.name);
    const container = await this.docker.createContainer({
      name,
      Image: options.image ?? this.image,
      Hostname: options.name,
      Labels: this.labels(options.name),
      Env: Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${value}`),
      HostConfig: { ...hardenedHostConfig(options.data), NetworkMode: this.network },
    });
    this.containers.add(container.id);
    const started = Date.now();
    await container.start();
    let timer: NodeJS.Timeout | undefined;
    const exited = await Promise.race([
      container.wait() as Promise<{ StatusCode: number }>,
      new Promise<undefined>((resolvePromise) => {
        timer = setTimeout(() => resolvePromise(undefined), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    const elapsedMs = Date.now() - started;
    const logs = await logsOf(container);
    if (exited === undefined) {
      throw new Error(`${options.name} was still running after ${timeoutMs} ms; logs:\n${logs}`);
    }
    const inspect = await container.inspect();
    return exitOf(exited.StatusCode, logs, inspect.RestartCount, elapsedMs);
  }

  /** Removes every container, then the network and volumes; reports all failures at the end. */
  async dispose(): Promise<void> {
    const failures: string[] = [];
    const remove = async (what: string, action: () => Promise<unknown>) => {
      await action().catch((error: unknown) => {
        if (!isNotFound(error)) failures.push(`${what}: ${String(error)}`);
      });
    };
    for (const id of this.containers)
      await remove(`container ${id}`, () =>
        this.docker.getContainer(id).remove({ force: true, v: true }),
      );
    for (const name of this.networks)
      await remove(`network ${name}`, () => this.docker.getNetwork(name).remove());
    for (const name of this.volumes)
      await remove(`volume ${name}`, () => this.docker.getVolume(name).remove());
    if (failures.length > 0) throw new Error(`cleanup failed:\n${failures.join('\n')}`);
  }
}

function isNotFound(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'statusCode' in error &&
    (error as { statusCode?: number }).statusCode === 404
  );
}
