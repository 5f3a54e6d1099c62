// /metrics as Prometheus' own linter reads it: `promtool check metrics` (Debian package
// `prometheus`; scripts/ensure-prometheus.sh installs it) finds nothing to say about any metric,
// the service's own and prom-client's. Skipped with a warning where promtool is missing; in CI
// (CI set) a missing promtool is an error.
import { spawnSync } from 'node:child_process';
import { METRIC_NAMES } from '@stateful-visits/visits-contract';
import { api } from './described.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCi } from '../harness/ci.js';
import { startTestingApp, type TestingApp } from './testing-app.js';

const found = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;
const MISSING =
  'promtool is not on PATH: install it with `bash scripts/ensure-prometheus.sh` (Debian package prometheus)';
if (!found && isCi()) throw new Error(`${MISSING}; CI must run this check`);
if (!found) console.warn(`[metrics] SKIPPING promtool check metrics: ${MISSING}`);

describe.skipIf(!found)('/metrics under promtool check metrics', () => {
  let sut: TestingApp;
  let text: string;

  beforeAll(async () => {
    sut = await startTestingApp();
    // Traffic that fills every labelled series: visits, reads, errors, odd methods, a prefetch.
    await api(sut.server).post('/visits').expect(201);
    await api(sut.server).get('/').expect(200);
    await api(sut.server).get('/visits').expect(200);
    await api(sut.server).get('/nope').expect(404);
    await api(sut.server).delete('/visits').expect(405);
    await api(sut.server).get('/').set('Sec-Purpose', 'prefetch').expect(403);
    text = (await api(sut.ops, 'ops').get('/metrics').expect(200)).text;
  });
  afterAll(async () => {
    await sut[Symbol.asyncDispose]();
  });

  it('exports every metric the service defines', () => {
    for (const name of Object.values(METRIC_NAMES)) {
      expect(text).toMatch(new RegExp(`^# TYPE ${name.replace(/_total$/, '(_total)?')} `, 'm'));
    }
  });

  it('passes with nothing to report', () => {
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${lint.stdout}${lint.stderr}`).toBe('');
    expect(lint.status).toBe(0);
  });
});
