// The production entry, dist/visits.cjs: the compiled service (dist/main.js, from tsc, which emits
// the decorator metadata Nest's injection needs) and its dependencies in one file.
//
// Why bundle: Node then parses one file instead of ~900 modules and keeps only the code that is
// reachable. Measured here: idle RSS 116 -> 90 MiB, cold start 540 -> 210 ms, same throughput
// (docs/benchmarks.md). dist/main.js still works for debugging.
//
// Why CommonJS output: an ES module's `import ... from 'node:http'` makes Node evaluate every export
// of the built-in, lazy ones included, which loads its bundled undici (fetch, WebSocket): ~7 MiB of
// RSS this service never uses. require('node:http') does not.
import { readFileSync } from 'node:fs';
import { defineConfig } from 'rolldown';
import { lazyIntl } from './build/lazy-intl.js';
import { openApiAtBuildTime } from './build/openapi-at-build-time.js';
// Compiled by tsc just before this runs (npm run build): the one reader of the build information.
import { readBuildInfo } from './dist/version/read-build-info.js';

/**
 * Left to Node at run time, and the only packages the image ships (docker/copy-prod-deps.mjs reads
 * the same list): fs-native-extensions loads a native addon from its own directory.
 */
const { bundleExternal } = JSON.parse(
  readFileSync(new URL('package.json', import.meta.url), 'utf8'),
);
/** A dev dependency, loaded only in a terminal (src/logging/logger.ts): never in the image. */
const devOnly = ['pino-pretty'];

/**
 * Optional packages Nest and Fastify try to load only when a feature needs them (static files,
 * views, validation, microservices, ...). This service uses none; they are not installed.
 */
const optional = [
  '@fastify/multipart',
  '@fastify/static',
  '@fastify/view',
  '@nestjs/microservices',
  '@nestjs/platform-express',
  '@nestjs/websockets',
  'class-transformer',
  'class-validator',
];

/** A package or any file inside it. */
const within = (names) => (id) => names.some((name) => id === name || id.startsWith(`${name}/`));

export default defineConfig({
  input: 'dist/main.js',
  platform: 'node',
  plugins: [
    lazyIntl(),
    openApiAtBuildTime({ document: new URL('dist/openapi.json', import.meta.url) }),
  ],
  transform: {
    // rolldown rewrites import.meta.url and .dirname for CommonJS, not .resolve: terminus uses it
    // only to tell whether an optional package is installed.
    define: {
      'import.meta.resolve': 'require.resolve',
      // What GET /version and visits_build_info report (src/version/build-info.ts), read now:
      // the image has no .git at run time, nor a package.json of the service's own.
      __VISITS_BUILD_INFO__: JSON.stringify(
        readBuildInfo(process.env, new URL('./', import.meta.url)),
      ),
    },
  },
  external: within([...bundleExternal, ...devOnly, ...optional]),
  output: {
    file: 'dist/visits.cjs',
    format: 'cjs',
    codeSplitting: false,
    // Whitespace and syntax only: names stay, so stack traces in the logs stay readable.
    minify: { compress: true, mangle: false, codegen: true },
    sourcemap: true,
    // Escaped non-ASCII keeps the source a one-byte string in V8: half the memory of two-byte.
    charset: 'ascii',
  },
  onLog(level, log, handler) {
    // An import the bundle cannot resolve would fail only at run time, in the image: fail now.
    if (log.code === 'UNRESOLVED_IMPORT') handler('error', log);
    else handler(level, log);
  },
});
