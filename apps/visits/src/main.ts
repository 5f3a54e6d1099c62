import { hostname } from 'node:os';
import { createApp } from './app.factory.js';
import { ConfigError, loadConfig } from './config/app-config.js';
import { stopOnSignalsAndStoreFailure } from './lifecycle/shutdown.js';
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

  stopOnSignalsAndStoreFailure(app, config, logger);
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
