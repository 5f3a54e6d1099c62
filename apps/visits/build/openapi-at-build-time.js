// A rolldown plugin: the service serves its OpenAPI description (GET /openapi.json) without
// building it, or holding the decorators it is built from, at run time. Measured on the bundle in
// the image's layout (idle RSS, median of 9 starts): 74.9 MiB without a description, 76.2 MiB
// building it at run time, 75.9 MiB with the real decorators alone, 75.0-75.1 MiB as done here.
// - `@nestjs/swagger` resolves to no-op decorators: they only record metadata, which only the
//   description's builder (src/openapi/openapi-document.ts) reads, at build time, from the tsc
//   output (src/openapi/cli.ts writes dist/openapi.json before this bundle is made). A decorator
//   the stub does not export fails the build (add it below), and so does any import of the
//   builder's parts (SwaggerModule, DocumentBuilder) by the service's code.
// - src/openapi/served-document.ts, which reads dist/openapi.json, becomes that file's text.
// - @nestjs/terminus's @HealthCheck() requires @nestjs/swagger at run time when it is installed
//   (it is, where the repository is): that would load the whole package beside the bundle (35 MiB
//   of RSS, measured). In the bundle it never does.
import { readFileSync } from 'node:fs';

const SWAGGER = '@nestjs/swagger';
const STUB = '\0swagger-decorators-at-build-time';
/** The decorators the service's code uses. */
const DECORATORS = [
  'ApiCreatedResponse',
  'ApiExtraModels',
  'ApiOkResponse',
  'ApiOperation',
  'ApiProperty',
  'ApiQuery',
  'ApiResponse',
  'ApiSchema',
  'ApiTags',
];
const SERVED = '/dist/openapi/served-document.js';
const TERMINUS = '/node_modules/@nestjs/terminus/dist/health-check/health-check.decorator.js';
const TERMINUS_REQUIRE = "require('@nestjs/swagger')";

/** @param {{ document: URL }} options where the build wrote the description @returns {import('rolldown').Plugin} */
export function openApiAtBuildTime({ document }) {
  let inlined = false;
  let terminus = false;
  return {
    name: 'openapi-at-build-time',
    resolveId(source) {
      return source === SWAGGER ? STUB : null;
    },
    load(id) {
      if (id !== STUB) return null;
      return `const noop = () => () => {};\n${DECORATORS.map((name) => `export const ${name} = noop;`).join('\n')}\n`;
    },
    transform(code, id) {
      const path = id.replaceAll('\\', '/');
      if (path.endsWith(TERMINUS)) {
        if (code.split(TERMINUS_REQUIRE).length !== 2)
          this.error(
            `openapi-at-build-time: ${TERMINUS} no longer has exactly one ${TERMINUS_REQUIRE}; update build/openapi-at-build-time.js`,
          );
        terminus = true;
        return { code: code.replace(TERMINUS_REQUIRE, 'null'), map: null };
      }
      if (!path.endsWith(SERVED)) return null;
      let text;
      try {
        text = readFileSync(document, 'utf8');
      } catch (error) {
        this.error(
          `openapi-at-build-time: ${document.pathname} is missing (${error}); the build writes it before bundling`,
        );
      }
      inlined = true;
      return {
        code: `export function servedDocument() {\n  return Promise.resolve(${JSON.stringify(text)});\n}\n`,
        map: null,
      };
    },
    buildEnd(error) {
      if (error) return;
      if (!inlined)
        this.error(
          `openapi-at-build-time: nothing imported ${SERVED}; update build/openapi-at-build-time.js`,
        );
      if (!terminus)
        this.error(
          `openapi-at-build-time: ${TERMINUS} was not bundled; update build/openapi-at-build-time.js`,
        );
    },
  };
}
