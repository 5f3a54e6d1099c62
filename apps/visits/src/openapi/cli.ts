// The OpenAPI description from the code (the tsc output, with @nestjs/swagger's real decorators):
//   node dist/openapi/cli.js               writes docs/openapi.json (npm run openapi)
//   node dist/openapi/cli.js --check       exits 1 when docs/openapi.json differs, writes nothing
//   node dist/openapi/cli.js --out FILE    writes FILE (the build: dist/openapi.json, which the
//                                          service serves)
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  describeApp,
  isCommitted,
  OPENAPI_COMMAND,
  OPENAPI_FILE,
  writeCommitted,
} from './openapi-file.js';

// dist/openapi/cli.js → the repository root is four levels up.
const repoRoot = resolve(fileURLToPath(new URL('../../../../', import.meta.url)));
const { values } = parseArgs({
  options: { check: { type: 'boolean', default: false }, out: { type: 'string' } },
});

const rendered = await describeApp();
if (values.out !== undefined) {
  await writeFile(values.out, rendered);
} else if (await isCommitted(repoRoot, rendered)) {
  console.log(`${OPENAPI_FILE} is up to date`);
} else if (values.check) {
  console.error(`${OPENAPI_FILE} differs from the code; regenerate it with \`${OPENAPI_COMMAND}\``);
  process.exitCode = 1;
} else {
  await writeCommitted(repoRoot, rendered);
  console.log(`rewrote ${OPENAPI_FILE}`);
}
