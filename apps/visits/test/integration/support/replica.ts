import { environment, IMAGE_UID } from '@stateful-visits/visits-contract';
import type { getContainerRuntimeClient, StartedTestContainer } from 'testcontainers';
import { signalOfStatus, type Exit, type Service } from '../../harness/service.js';

/** The ports the image's service listens on (the default `PORT` and `OPS_PORT`), and the image's user. */
export const SERVICE_PORT = environment.PORT.default;
export const OPS_PORT = environment.OPS_PORT.default;
export const SERVICE_UID = IMAGE_UID;

export type Docker = Awaited<
  ReturnType<typeof getContainerRuntimeClient>
>['container']['dockerode'];
type Container = ReturnType<Docker['getContainer']>;

/** How a container ended. */
export interface Exited extends Exit {
  readonly logs: string;
  readonly restartCount: number;
  readonly elapsedMs: number;
}

/**
 * One running container of the service, addressed through its published port: the harness's
 * Service, as a StatefulSet pod would be one.
 */
export class Replica implements Service {
  readonly url: string;
  readonly opsUrl: string;
  readonly name: string;
  readonly image: string;
  readonly container: StartedTestContainer;
  private readonly handle: Container;

  constructor(name: string, image: string, container: StartedTestContainer, handle: Container) {
    this.name = name;
    this.image = image;
    this.container = container;
    this.handle = handle;
    this.url = `http://${container.getHost()}:${container.getMappedPort(SERVICE_PORT)}`;
    this.opsUrl = `http://${container.getHost()}:${container.getMappedPort(OPS_PORT)}`;
  }

  get id(): string {
    return this.container.getId();
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

  async inspect(): ReturnType<Container['inspect']> {
    return this.handle.inspect();
  }

  async logs(): Promise<string> {
    return logsOf(this.handle);
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
    return exitOf(inspect.State.ExitCode, await this.logs(), inspect.RestartCount, elapsedMs);
  }

  /** Stops gracefully and deletes the container; the volume stays, as a PVC outlives its pod. */
  async remove(graceSeconds = 10): Promise<Exited> {
    const exited = await this.stop(graceSeconds);
    await this.handle.remove({ force: true });
    return exited;
  }
}

export function exitOf(
  status: number,
  logs: string,
  restartCount: number,
  elapsedMs: number,
): Exited {
  return { code: status, signal: signalOfStatus(status), logs, restartCount, elapsedMs };
}

/** A container's stdout and stderr so far. */
export async function logsOf(container: Container): Promise<string> {
  return demultiplex(await container.logs({ stdout: true, stderr: true, follow: false }));
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
