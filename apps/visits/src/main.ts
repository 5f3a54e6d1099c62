import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { createApp } from './app.factory.js';
import { ConfigError, loadConfig } from './config/app-config.js';
import { stopOnSignalsAndStoreFailure } from './lifecycle/shutdown.js';
import {
  listenFailure,
  storeStartupFailure,
  type StartupFailure,
} from './lifecycle/startup-failure.js';
import { createLogger } from './logging/logger.js';
import { OpsServer } from './ops/ops-server.provider.js';
import { StoreError } from './store/store.errors.js';

/** A logger before the configuration is known (or when it could not be read). */
const bootLogger = () =>
  createLogger({ logLevel: 'info', podName: process.env.POD_NAME || hostname() });

/** Every way startup can fail ends here: one `fatal` line, no stack trace, exit code 1. */
function failStartup(logger: Logger, failure: StartupFailure): never {
  const { msg, ...fields } = failure;
  logger.fatal(fields, msg);
  process.exit(1);
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    bootLogger().fatal(
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
    // Expected failures (data directory in use, damaged, unwritable or too small) get one clear
    // line; anything else is a bug, logged with its stack inside the JSON line.
    if (error instanceof StoreError) failStartup(logger, storeStartupFailure(error));
    logger.fatal({ err: error }, 'startup failed');
    process.exit(1);
  }

  stopOnSignalsAndStoreFailure(app, config, logger);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    failStartup(logger, listenFailure(error, config));
  }
  try {
    // The ops port after the service port: readiness never says yes before visits can arrive.
    await app.get(OpsServer).listen();
  } catch (error) {
    failStartup(
      logger,
      listenFailure(error, { port: config.opsPort, host: config.host }, 'OPS_PORT'),
    );
  }
  logger.info(
    {
      port: config.port,
      opsPort: config.opsPort,
      host: config.host,
      dataDir: config.dataDir,
      timeZone: config.timeZone,
      node: process.version,
    },
    'visits service listening',
  );
}

main().catch((error: unknown) => {
  // Nothing expected gets here; still one JSON line on stdout rather than a trace on stderr.
  bootLogger().fatal({ err: error }, 'the service stopped on an unexpected error');
  process.exit(1);
});
