import { hostname } from 'node:os';
import { createApp } from './app.factory.js';
import { ConfigError, loadConfig } from './config/app-config.js';
import { stopOnSignalsAndStoreFailure } from './lifecycle/shutdown.js';
import { createLogger } from './logging/logger.js';
import { OpsServer } from './ops/ops-server.provider.js';
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

  stopOnSignalsAndStoreFailure(app, config, logger);
  try {
    await app.listen({ port: config.port, host: config.host });
    // The ops port after the service port: readiness never says yes before visits can arrive.
    await app.get(OpsServer).listen();
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    logger.fatal(
      { err: error, port: config.port, opsPort: config.opsPort, host: config.host },
      `cannot listen on ${config.host} ports ${config.port} (PORT) and ${config.opsPort} (OPS_PORT): ${code ?? String(error)}; ` +
        'choose ports nothing else uses',
    );
    process.exit(1);
  }
  logger.info(
    {
      port: config.port,
      opsPort: config.opsPort,
      host: config.host,
      dataDir: config.dataDir,
      node: process.version,
    },
    'visits service listening',
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
