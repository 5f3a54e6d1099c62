import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeApp, isCommitted, OPENAPI_COMMAND, OPENAPI_FILE } from './openapi-file.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const redocly = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');

/** Redocly's linter on `file` with its strict recommended rules (warnings are errors). */
async function lint(file: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [redocly, 'lint', file, '--extends=recommended-strict', '--format=stylish'],
      { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
    );
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe(`the committed OpenAPI description (${OPENAPI_FILE})`, () => {
  let committed: string;
  beforeAll(async () => {
    committed = await readFile(join(repoRoot, OPENAPI_FILE), 'utf8');
  });

  it('is what the code describes', { timeout: 30_000 }, async () => {
    const rendered = await describeApp();
    expect(
      await isCommitted(repoRoot, rendered),
      `${OPENAPI_FILE} is out of date with the code; regenerate it with \`${OPENAPI_COMMAND}\` and commit the result`,
    ).toBe(true);
  });

  it(
    'passes the OpenAPI linter (Redocly, strict recommended rules)',
    { timeout: 30_000 },
    async () => {
      const { ok, output } = await lint(join(repoRoot, OPENAPI_FILE));
      expect(ok, output).toBe(true);
    },
  );

  describe('a damaged copy', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'openapi-lint-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('fails the linter, naming what is wrong', { timeout: 30_000 }, async () => {
      const document = JSON.parse(committed) as { paths: Record<string, Record<string, object>> };
      // An operation without responses, and a reference to a schema that does not exist.
      document.paths['/visits']!['post'] = { operationId: 'recordVisit', summary: 'broken' };
      document.paths['/visits']!['get'] = {
        ...document.paths['/visits']!['get'],
        responses: {
          '200': {
            description: 'x',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Nothing' } } },
          },
        },
      };
      const file = join(dir, 'openapi.json');
      await writeFile(file, JSON.stringify(document));
      const { ok, output } = await lint(file);
      expect(ok).toBe(false);
      expect(output).toMatch(/operation-4xx-response/);
      expect(output).toMatch(/no-unresolved-refs/);
    });
  });
});
