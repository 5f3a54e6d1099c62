import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createApp } from '../../src/app.factory.js';
import { loadConfig } from '../../src/config/app-config.js';
import { OpsServer } from '../../src/ops/ops-server.provider.js';

export interface TestingApp extends AsyncDisposable {
  readonly app: NestFastifyApplication;
  readonly dataDir: string;
  /** The service port: the visit routes. */
  readonly server: ReturnType<NestFastifyApplication['getHttpServer']>;
  /** The ops port: /health/*, /metrics, /version. */
  readonly ops: Server;
}

/** The real app on a fresh data directory, in process, for supertest; silent unless given a logger. */
export async function startTestingApp(
  env: Record<string, string> = {},
  logger: pino.Logger = pino({ level: 'silent' }),
): Promise<TestingApp> {
  const dataDir = await mkdtemp(join(tmpdir(), 'visits-e2e-'));
  const config = loadConfig({ POD_NAME: 'visits-test-0', DATA_DIR: dataDir, ...env });
  const app = await createApp(config, logger);
  return {
    app,
    dataDir,
    server: app.getHttpServer(),
    ops: app.get(OpsServer).server,
    async [Symbol.asyncDispose]() {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A {@link TestingApp} that also listens on a free loopback port, for raw sockets. */
export interface ListeningApp extends TestingApp {
  readonly port: number;
}

/**
 * A {@link ListeningApp} on 127.0.0.1 at a port the kernel picks, started before each test (or
 * once before all of them) and closed after: call the returned function inside a test.
 */
export function useListeningApp(scope: 'each' | 'all'): () => ListeningApp {
  let sut: ListeningApp | undefined;
  (scope === 'each' ? beforeEach : beforeAll)(async () => {
    const app = await startTestingApp();
    await app.app.listen({ port: 0, host: '127.0.0.1' });
    sut = { ...app, port: (app.server.address() as { port: number }).port };
  });
  (scope === 'each' ? afterEach : afterAll)(async () => {
    await sut?.[Symbol.asyncDispose]();
    sut = undefined;
  });
  return () => {
    if (!sut) throw new Error('useListeningApp: the app runs only inside a test');
    return sut;
  };
}
