import { readFile } from 'node:fs/promises';

/** What the build generated from the code (src/openapi/cli.ts --out). */
const GENERATED = new URL('../../dist/openapi.json', import.meta.url);

/**
 * The OpenAPI description as GET /openapi.json serves it: generated from the code at build
 * time. The production bundle holds the text itself (build/openapi-at-build-time.js); the tsc
 * output and the tests read it from dist/.
 */
export function servedDocument(): Promise<string> {
  return readFile(GENERATED, 'utf8');
}
