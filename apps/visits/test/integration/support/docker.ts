import { GenericContainer, getContainerRuntimeClient, Wait } from 'testcontainers';
import type { StartedTestContainer } from 'testcontainers';
import { RUN_LABEL } from './environment.js';

export const SERVICE_PORT = 3000;
export const SERVICE_UID = 10001;
const STARTUP_TIMEOUT_MS = 60_000;

type Docker = Awaited<ReturnType<typeof getContainerRuntimeClient>>['container']['dockerode'];

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

/** GenericContainer has no builder for these HostConfig fields; they are set the same way as its own. */
class ServiceContainer extends GenericContainer {
  withHardenedHostConfig(config: HardenedHostConfig): this {
    Object.assign(this.hostConfig, config);
    return this;
  }
}

export interface ReplicaOptions {
  /** The stable identity, like a StatefulSet pod: network alias and hostname (so the pod name). */
  readonly name: string;
  /** Named volume, or an absolute host path, mounted at /data. */
  readonly data: string;
  readonly image?: string;
  readonly env?: Readonly<Record<string, string>>;
}

export interface Exited {
  readonly exitCode: number;
  readonly logs: string;
  readonly restartCount: number;
  readonly elapsedMs: number;
}

export interface VisitsBody {
  readonly pod: string;
  readonly count: number;
  readonly recent: readonly string[];
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

  private constructor(
    readonly docker: Docker,
    private readonly runId: string,
    readonly image: string,
    readonly network: string,
  ) {}

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

  /** Starts a hardened replica on the fixture's network and waits until /health/ready is 200. */
  async startReplica(options: ReplicaOptions): Promise<Replica> {
    const containerName = this.uniqueName(options.name);
    const image = options.image ?? this.image;
    const container = new ServiceContainer(image)
      .withName(containerName)
      .withHostname(options.name)
      .withNetworkMode(this.network)
      .withNetworkAliases(options.name)
      .withLabels(this.labels(options.name))
      .withEnvironment({ ...options.env })
      .withHardenedHostConfig(hardenedHostConfig(options.data))
      .withExposedPorts(SERVICE_PORT)
      .withWaitStrategy(Wait.forHttp('/health/ready', SERVICE_PORT).forStatusCode(200))
      .withStartupTimeout(STARTUP_TIMEOUT_MS);
    this.containers.add(containerName);
    let started: StartedTestContainer;
    try {
      started = await container.start();
    } catch (error) {
      const logs = await this.logsOf(containerName).catch(() => '(no logs)');
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
  async runUntilExit(options: ReplicaOptions, timeoutMs = 30_000): Promise<Exited> {
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
    const logs = await this.logsOf(container.id);
    if (exited === undefined) {
      throw new Error(`${options.name} was still running after ${timeoutMs} ms; logs:\n${logs}`);
    }
    const inspect = await container.inspect();
    return { exitCode: exited.StatusCode, logs, restartCount: inspect.RestartCount, elapsedMs };
  }

  async logsOf(idOrName: string): Promise<string> {
    const buffer = await this.docker
      .getContainer(idOrName)
      .logs({ stdout: true, stderr: true, follow: false });
    return demultiplex(buffer);
  }

  /** Removes every container, then the network and volumes; reports all failures at the end. */
  async dispose(): Promise<void> {
    const failures: string[] = [];
    for (const id of this.containers) {
      await this.docker
        .getContainer(id)
        .remove({ force: true, v: true })
        .catch((error: unknown) => {
          if (!isNotFound(error)) failures.push(`container ${id}: ${String(error)}`);
        });
    }
    for (const name of this.networks) {
      await this.docker
        .getNetwork(name)
        .remove()
        .catch((error: unknown) => {
          if (!isNotFound(error)) failures.push(`network ${name}: ${String(error)}`);
        });
    }
    for (const name of this.volumes) {
      await this.docker
        .getVolume(name)
        .remove()
        .catch((error: unknown) => {
          if (!isNotFound(error)) failures.push(`volume ${name}: ${String(error)}`);
        });
    }
    if (failures.length > 0) throw new Error(`cleanup failed:\n${failures.join('\n')}`);
  }
}

/** One running container of the service, addressed through its published port. */
export class Replica {
  readonly baseUrl: string;

  constructor(
    readonly name: string,
    readonly image: string,
    readonly container: StartedTestContainer,
    private readonly handle: ReturnType<Docker['getContainer']>,
  ) {
    this.baseUrl = `http://${container.getHost()}:${container.getMappedPort(SERVICE_PORT)}`;
  }

  get id(): string {
    return this.container.getId();
  }

  fetch(path: string, init?: RequestInit): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, { signal: AbortSignal.timeout(10_000), ...init });
  }

  /** POST /visits; returns the count the service acknowledged. */
  async recordVisit(): Promise<number> {
    const response = await this.fetch('/visits', { method: 'POST' });
    const body = (await response.json()) as { pod?: string; count?: number };
    if (response.status !== 201 || typeof body.count !== 'number') {
      throw new Error(`POST /visits on ${this.name}: ${response.status} ${JSON.stringify(body)}`);
    }
    return body.count;
  }

  async recordVisits(n: number): Promise<number[]> {
    const counts: number[] = [];
    for (let i = 0; i < n; i += 1) counts.push(await this.recordVisit());
    return counts;
  }

  async visits(): Promise<VisitsBody> {
    const response = await this.fetch('/visits');
    if (response.status !== 200) {
      throw new Error(`GET /visits on ${this.name}: ${response.status} ${await response.text()}`);
    }
    return (await response.json()) as VisitsBody;
  }

  async count(): Promise<number> {
    return (await this.visits()).count;
  }

  /** Runs a command inside the container as the image's user. */
  async exec(command: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    const { exitCode, stdout, stderr } = await this.container.exec(command);
    return { exitCode, stdout, stderr };
  }

  /** `cat /data/visits` inside the container. */
  async countFile(): Promise<string> {
    const result = await this.exec(['cat', '/data/visits']);
    if (result.exitCode !== 0) throw new Error(`cat /data/visits failed: ${result.stderr}`);
    return result.stdout;
  }

  async inspect(): ReturnType<ReturnType<Docker['getContainer']>['inspect']> {
    return this.handle.inspect();
  }

  async logs(): Promise<string> {
    return demultiplex(await this.handle.logs({ stdout: true, stderr: true, follow: false }));
  }

  /** `docker stop -t graceSeconds`: the image's STOPSIGNAL (SIGTERM), then SIGKILL after the grace period. */
  async stop(graceSeconds = 10): Promise<Exited> {
    const started = Date.now();
    await this.handle.stop({ t: graceSeconds });
    return this.exited(Date.now() - started);
  }

  /** `docker kill`: SIGKILL, no chance to flush anything. */
  async kill(): Promise<Exited> {
    const started = Date.now();
    await this.handle.kill({ signal: 'SIGKILL' });
    await this.handle.wait();
    return this.exited(Date.now() - started);
  }

  private async exited(elapsedMs: number): Promise<Exited> {
    const inspect = await this.handle.inspect();
    if (inspect.State.Running) throw new Error(`${this.name} is still running`);
    return {
      exitCode: inspect.State.ExitCode,
      logs: await this.logs(),
      restartCount: inspect.RestartCount,
      elapsedMs,
    };
  }

  /** Stops gracefully and deletes the container; the volume stays, as a PVC outlives its pod. */
  async remove(graceSeconds = 10): Promise<Exited> {
    const exited = await this.stop(graceSeconds);
    await this.handle.remove({ force: true });
    return exited;
  }
}

/** Docker's log stream without a TTY prefixes each frame with an 8-byte header (stream, length). */
function demultiplex(buffer: Buffer): string {
  const chunks: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const length = buffer.readUInt32BE(offset + 4);
    chunks.push(buffer.subarray(offset + 8, offset + 8 + length));
    offset += 8 + length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

function isNotFound(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'statusCode' in error &&
    (error as { statusCode?: number }).statusCode === 404
  );
}

/** The service's pino JSON lines; anything else in the output is returned as { raw }. */
export function logLines(logs: string): Record<string, unknown>[] {
  return logs
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return { raw: line };
      }
    });
}

/** pino's error and fatal lines, whether levels are written as numbers (50, 60) or labels. */
export function isErrorLine(line: Record<string, unknown>): boolean {
  const level = line['level'];
  return typeof level === 'number' ? level >= 50 : level === 'error' || level === 'fatal';
}

/** Logs for an assertion message: without per-request lines, the last `max` lines. */
export function logSummary(logs: string, max = 30): string {
  const lines = logs
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.includes('"msg":"request completed"'));
  return lines.slice(-max).join('\n');
}
