import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gitRevision } from '../../src/version/read-build-info.js';
import { REPO_ROOT } from '../harness/paths.js';
import { runToExit, ServiceProcess } from '../harness/service-process.js';
import { useProcessDir } from './process-dir.js';

const PROBE = fileURLToPath(new URL('./fixtures/intl-probe.js', import.meta.url));
const SWAGGER_PROBE = fileURLToPath(new URL('./fixtures/swagger-probe.js', import.meta.url));
const built = (output: string) =>
  output.split('\n').filter((line) => line.startsWith('intl-probe: '));

// What the built service (dist/visits.cjs, what the image runs) does before it is asked anything.
// What it does under crashes, signals and damaged files is the fault suite's (test/faults).
describe('the built service at start', () => {
  const dataDir = useProcessDir();

  const start = (env: Record<string, string> = {}) =>
    ServiceProcess.start(dataDir(), { env: { NODE_OPTIONS: `--import ${PROBE}`, ...env } });

  // ICU's data costs about 7 MiB of RSS once the first Intl.DateTimeFormat is built
  // (docs/benchmarks.md): the bundle makes NestJS's own formatters lazy (build/lazy-intl.js) and
  // the default TIMEZONE needs no check, so an idle service has built none.
  it('builds no Intl.DateTimeFormat to start, count visits, report them or list the fleet; GET / builds one, once', async () => {
    const s = await start();
    expect((await fetch(`${s.url}/visits`, { method: 'POST' })).status).toBe(201);
    expect((await fetch(`${s.url}/visits`)).status).toBe(200);
    expect((await fetch(`${s.opsUrl}/metrics`)).status).toBe(200);
    expect((await fetch(`${s.opsUrl}/version`)).status).toBe(200);
    expect((await fetch(`${s.url}/fleet`)).status).toBe(200);
    expect(built(s.output())).toEqual([]);

    // GET / tells the time in TIMEZONE: that needs ICU, built once and reused.
    for (let i = 0; i < 3; i++) expect((await fetch(`${s.url}/`)).status).toBe(200);
    expect(built(s.output())).toEqual(['intl-probe: Intl.DateTimeFormat built (timeZone UTC)']);

    // The page for people reads it another way (and its recent visits too): one more, once.
    const page = { headers: { accept: 'text/html' } };
    for (let i = 0; i < 3; i++) expect((await fetch(`${s.url}/`, page)).status).toBe(200);
    expect((await fetch(`${s.url}/fleet`, page)).status).toBe(200);
    expect(built(s.output())).toEqual([
      'intl-probe: Intl.DateTimeFormat built (timeZone UTC)',
      'intl-probe: Intl.DateTimeFormat built (timeZone UTC)',
    ]);
  });

  it('checks a TIMEZONE other than UTC at startup (with ICU), and still refuses a wrong one', async () => {
    const s = await start({ TIMEZONE: 'Europe/Berlin' });
    expect(built(s.output())).toEqual([
      'intl-probe: Intl.DateTimeFormat built (timeZone Europe/Berlin)',
    ]);
    await s.kill();
    await expect(start({ TIMEZONE: 'Mars/Olympus' })).rejects.toThrow(/TIMEZONE/);
  });

  it('serves the visit routes on PORT and the ops routes on OPS_PORT only', async () => {
    const s = await start();
    expect(s.opsUrl).not.toBe(s.url);
    expect((await fetch(`${s.url}/visits`, { method: 'POST' })).status).toBe(201);
    for (const path of ['/metrics', '/health/ready', '/health/live', '/version']) {
      expect((await fetch(`${s.url}${path}`)).status, `${path} on PORT`).toBe(404);
      expect((await fetch(`${s.opsUrl}${path}`)).status, `${path} on OPS_PORT`).toBe(200);
    }
    expect((await fetch(`${s.opsUrl}/visits`, { method: 'POST' })).status).toBe(404);
    const listening = s.logLines().find((line) => line.msg === 'visits service listening');
    expect(listening).toMatchObject({
      port: Number(new URL(s.url).port),
      opsPort: Number(new URL(s.opsUrl).port),
    });
  });

  it('reports the version and git revision it was built with, in /version and the metric', async () => {
    const s = await start();
    const version = (await (await fetch(`${s.opsUrl}/version`)).json()) as Record<string, string>;
    const { version: packageVersion } = JSON.parse(
      await readFile(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    expect(version).toEqual({
      version: packageVersion,
      revision: expect.stringMatching(/^[0-9a-f]{40}$/),
      node: process.version,
    });
    // A build in a git checkout knows its commit (the image gets it as REVISION); turbo never
    // serves this build from its cache, which would carry the commit it was first made at.
    expect(
      version['revision'],
      'dist/ was built at another commit: `npm run build -w @stateful-visits/visits` (npm test builds first)',
    ).toBe(gitRevision(REPO_ROOT));
    const metrics = await (await fetch(`${s.opsUrl}/metrics`)).text();
    expect(metrics).toContain(
      `visits_build_info{version="${packageVersion}",revision="${version['revision']}"} 1\n`,
    );
  });

  it('refuses to start when the ops port is taken, saying which ports and what to do', async () => {
    const first = await start();
    const taken = new URL(first.opsUrl).port;
    const ended = await runToExit(join(dataDir(), 'second'), { env: { OPS_PORT: taken } });
    expect(ended.code).toBe(1);
    expect(ended.output).toMatch(
      new RegExp(
        `"setting":"OPS_PORT".*OPS_PORT ${taken} is already in use on .*set OPS_PORT to a free port`,
      ),
    );
  });

  it('stops with exit code 1 naming a bad variable', async () => {
    const ended = await runToExit(dataDir(), { env: { RECENT_VISITS: 'lots' } });
    expect(ended.code).toBe(1);
    expect(ended.output).toMatch(/RECENT_VISITS must be a whole number/);
  });

  it('refuses a CORS_ORIGINS entry that is not an origin, echoing it', async () => {
    const ended = await runToExit(dataDir(), {
      env: { CORS_ORIGINS: 'https://ok.example,https://widgets.example/' },
    });
    expect(ended.code).toBe(1);
    expect(ended.output).toContain('CORS_ORIGINS must be * or a comma-separated list of origins');
    expect(ended.output).toContain('not an origin: \\"https://widgets.example/\\" (got ');
  });

  // The bundle holds the description the build generated, and no-op decorators
  // (build/openapi-at-build-time.js): @nestjs/swagger, installed beside it here, is never loaded.
  it('serves the committed OpenAPI description without loading @nestjs/swagger', async () => {
    const s = await ServiceProcess.start(dataDir(), {
      env: { NODE_OPTIONS: `--import ${SWAGGER_PROBE}` },
    });
    const res = await fetch(`${s.opsUrl}/openapi.json`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(await readFile(join(REPO_ROOT, 'docs', 'openapi.json'), 'utf8'));
    for (const path of ['/', '/visits', '/fleet'])
      expect((await fetch(`${s.url}${path}`)).status).toBe(200);
    for (const path of ['/health/ready', '/metrics', '/version'])
      expect((await fetch(`${s.opsUrl}${path}`)).status).toBe(200);
    expect(s.output()).not.toContain('swagger-probe:');
  });

  it('refuses FLEET_DNS and FLEET_PEERS together, saying which belongs where', async () => {
    const ended = await runToExit(dataDir(), {
      env: { FLEET_DNS: 'visits-headless', FLEET_PEERS: 'visits-1:3000' },
    });
    expect(ended.code).toBe(1);
    expect(ended.output).toMatch(
      /FLEET_DNS and FLEET_PEERS must not both be set: use FLEET_DNS in Kubernetes .* and unset the other/,
    );
  });
});
