import { expect, it, vi } from 'vitest';
import { countOf, recordVisits, request } from '../harness/http.js';
import type { Service } from '../harness/service.js';
import { type MetricFamily, parsePrometheusText, sampleValue } from './support/prometheus-text.js';
import { describeWithDocker } from './support/suite.js';

async function scrape(sut: Service): Promise<Map<string, MetricFamily>> {
  const reply = await request(`${sut.opsUrl}/metrics`);
  expect(reply.status).toBe(200);
  expect(reply.headers['content-type']).toMatch(/^text\/plain/);
  return parsePrometheusText(reply.text);
}

describeWithDocker('health, metrics and version', 150_000, (environment, fixture) => {
  it("the image's HEALTHCHECK reports healthy", async () => {
    const sut = await fixture().startReplica({
      name: 'visits-0',
      data: await fixture().createVolume(),
    });
    const { Config: config } = await sut.inspect();
    expect(config.Healthcheck?.Test).toEqual(['CMD', 'node', '/app/healthcheck.mjs']);

    // The first check runs one interval (10 s) after start.
    await vi.waitFor(
      async () => expect((await sut.inspect()).State.Health?.Status).toBe('healthy'),
      { timeout: 60_000, interval: 1_000 },
    );
    const lastCheck = (await sut.inspect()).State.Health?.Log?.at(-1);
    expect(lastCheck?.ExitCode).toBe(0);
  });

  it('/metrics is valid Prometheus text whose visit figures match the counts', async () => {
    const volume = await fixture().createVolume();
    const first = await fixture().startReplica({ name: 'visits-1', data: volume });
    await recordVisits(first.url, 7);

    const metrics = await scrape(first);
    expect(metrics.get('visits_recorded_total')?.type).toBe('counter');
    expect(metrics.get('visits_stored')?.type).toBe('gauge');
    expect(metrics.get('visits_store_state')?.type).toBe('gauge');
    expect(metrics.get('visits_store_write_failures_total')?.type).toBe('counter');
    expect(metrics.get('visits_build_info')?.type).toBe('gauge');
    expect(metrics.get('visits_store_sync_duration_seconds')?.type).toBe('histogram');
    expect(metrics.get('visits_store_batch_size')?.type).toBe('histogram');
    expect(metrics.get('http_request_duration_seconds')?.type).toBe('histogram');
    expect(sampleValue(metrics, 'visits_recorded_total')).toBe(7);
    expect(sampleValue(metrics, 'visits_stored')).toBe(7);
    expect(sampleValue(metrics, 'visits_store_state', { state: 'open' })).toBe(1);
    expect(sampleValue(metrics, 'visits_store_state', { state: 'degraded' })).toBe(0);
    expect(
      sampleValue(metrics, 'visits_build_info', {
        version: environment.version,
        revision: environment.revision,
      }),
    ).toBe(1);
    expect(
      sampleValue(metrics, 'http_request_duration_seconds_count', {
        method: 'POST',
        route: '/visits',
        status_code: '201',
      }),
    ).toBe(7);
    // prom-client's default process metrics are there too.
    expect(metrics.has('process_cpu_seconds_total')).toBe(true);

    // After a restart on the same volume: the store's count carries over, this process's counter does not.
    await first.remove();
    const second = await fixture().startReplica({ name: 'visits-1', data: volume });
    await recordVisits(second.url, 2);
    const after = await scrape(second);
    expect(sampleValue(after, 'visits_stored')).toBe(9);
    expect(sampleValue(after, 'visits_recorded_total')).toBe(2);
    expect(await countOf(second.url)).toBe(9);
  });

  it('/version reports the VERSION and REVISION the image was built with; the service port has no ops route', async () => {
    const sut = await fixture().startReplica({
      name: 'visits-2',
      data: await fixture().createVolume(),
    });
    const reply = await request(`${sut.opsUrl}/version`);
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual({
      version: environment.version,
      revision: environment.revision,
      node: expect.stringMatching(/^v24\./),
    });
    const { Config: config } = await sut.inspect();
    expect(config.Labels?.['org.opencontainers.image.version']).toBe(environment.version);
    expect(config.Labels?.['org.opencontainers.image.revision']).toBe(environment.revision);
    for (const path of ['/metrics', '/health/ready', '/version'])
      expect((await request(`${sut.url}${path}`)).status, path).toBe(404);
  });
});
