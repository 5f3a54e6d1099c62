import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/app-config.js';
import { LifecycleService } from './lifecycle.service.js';

/**
 * How the process stops: on SIGTERM or SIGINT with exit code 0, when the store fails for good with
 * 1, and with 1 as well when stopping takes longer than SHUTDOWN_TIMEOUT_MS. Stopping begins once,
 * whatever asks for it first.
 *
 * Signals are handled here rather than by app.enableShutdownHooks(): Nest re-raises the signal
 * after closing, which ends the process with 143 instead of a clean 0.
 */
export function stopOnSignalsAndStoreFailure(
  app: NestFastifyApplication,
  config: Pick<AppConfig, 'shutdownTimeoutMs'>,
  logger: Logger,
): void {
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

  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => void stop(signal, 0));
  lifecycle.onFatal((error) => void stop(`the store failed: ${error.message}`, 1));
}
