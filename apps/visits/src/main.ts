import { hostname } from 'node:os';
import { createApp } from './app.factory.js';
import { ConfigError, loadConfig } from './config/app-config.js';
import { LifecycleService } from './lifecycle/lifecycle.service.js';
import { createLogger } from './logging/logger.js';
import { StoreError } from './store/store.errors.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    createLogger({ logLevel: 'info', podName: process.env.POD_NAME || hostname() }).fatal(
      { problems: error.problems },
      `${error.message}. Fix the environment variable(s) and start again.`,
    );
    process.exit(1);
  }
  const logger = createLogger(config);

  let app;
  try {
    app = await createApp(config, logger);
  } catch (error) {
    // Expected failures (data directory in use, damaged or unwritable) get one clear line, no stack.
    if (error instanceof StoreError) logger.fatal({ code: error.code }, error.message);
    else logger.fatal({ err: error }, 'startup failed');
    process.exit(1);
  }

  const lifecycle = app.get(LifecycleService);
  let stopping: Promise<void> | undefined;
  const stop = (reason: string, exitCode: number) =>
    (stopping ??= (async () => {
      // Readiness reports 503 from this moment; Fastify then stops accepting, lets in-flight requests
      // finish, and the store writes what they recorded before it closes.
      lifecycle.beginShutdown();
      logger.info({ reason }, 'shutting down');
      const deadline = setTimeout(() => {
        logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown took too long; exiting');
        process.exit(1);
      }, config.shutdownTimeoutMs);
      deadline.unref();
      // Connections that finish their last request after close() began are idle from then on;
      // close them as they go idle instead of waiting for their keep-alive timeout.
      const server = app.getHttpServer();
      const sweep = setInterval(() => server.closeIdleConnections(), 100);
      sweep.unref();
      try {
        await app.close();
        logger.info({ exitCode }, 'stopped');
      } catch (error) {
        logger.error({ err: error }, 'error during shutdown');
        exitCode = 1;
      }
      process.exit(exitCode);
    })());

  // Signals are handled here rather than by app.enableShutdownHooks(): Nest re-raises the signal
  // after closing, which ends the process with 143 instead of a clean 0.
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => void stop(signal, 0));
  lifecycle.onFatal((error) => void stop(`the store failed: ${error.message}`, 1));

  await app.listen({ port: config.port, host: config.host });
  logger.info(
    { port: config.port, host: config.host, dataDir: config.dataDir, node: process.version },
    'visits service listening',
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
