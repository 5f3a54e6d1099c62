// Starts the built service (apps/visits/dist/visits.cjs, what the image runs) as real processes,
// through the one test harness of apps/visits.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  assertBuilt,
  ServiceProcess,
} from '../../../../apps/visits/test/harness/service-process.ts';

export interface VisitsProcess {
  /** Its POD_NAME, also the `pod` label Prometheus gives its series. */
  readonly name: string;
  /** Where the visit routes answer (PORT). */
  readonly serviceUrl: string;
  /** `host:port` where /metrics answers: the ops port (OPS_PORT). */
  readonly metricsTarget: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts one process per name, each with its own data directory, PORT and OPS_PORT on loopback,
 * and waits until each is ready (readiness on its ops port).
 */
export async function startVisitsProcesses(names: readonly string[]): Promise<VisitsProcess[]> {
  assertBuilt();
  return Promise.all(names.map((name) => startOne(name)));
}

async function startOne(name: string): Promise<VisitsProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), `monitoring-${name}-`));
  let service: ServiceProcess;
  try {
    service = await ServiceProcess.start(dataDir, { name, env: { LOG_LEVEL: 'warn' } });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    name,
    serviceUrl: service.url,
    metricsTarget: new URL(service.opsUrl).host,
    output: () => service.output(),
    async stop() {
      await service.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
