// Over 350 lines on purpose: the service port's whole API from a client's side, one describe per
// route family, sharing one app per test; the edge cases live in http-edge and http-fuzz.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { METRIC_NAMES, VOLUME_MARGIN_BYTES } from '@stateful-visits/visits-contract';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LifecycleService } from '../../src/lifecycle/lifecycle.service.js';
import { VisitStore } from '../../src/store/visit-store.js';
import { api } from './described.js';
import { startTestingApp, type TestingApp } from './testing-app.js';

describe('visits service over HTTP', () => {
  let sut: TestingApp;
  beforeEach(async () => {
    sut = await startTestingApp({ TIMEZONE: 'Europe/Berlin' });
  });
  afterEach(async () => {
    await sut[Symbol.asyncDispose]();
  });

  const count = async () => (await api(sut.server).get('/visits').expect(200)).body.count as number;

  describe('POST /visits', () => {
    it('records a visit and answers 201 with the pod and its new count', async () => {
      await api(sut.server).post('/visits').expect(201, { pod: 'visits-test-0', count: 1 });
      await api(sut.server).post('/visits').expect(201, { pod: 'visits-test-0', count: 2 });
      expect(await readFile(join(sut.dataDir, 'visits'), 'utf8')).toBe('2\n');
    });

    it('gives concurrent visits distinct counts and loses none', async () => {
      const responses = await Promise.all(
        Array.from({ length: 300 }, () => api(sut.server).post('/visits')),
      );
      const counts = responses.map((r) => r.body.count as number);
      expect(responses.every((r) => r.status === 201)).toBe(true);
      expect(new Set(counts).size).toBe(300);
      expect(Math.max(...counts)).toBe(300);
      expect(await count()).toBe(300);
    });

    it('answers 503 with a JSON error and acknowledges nothing when the store cannot write', async () => {
      await api(sut.server).post('/visits').expect(201);
      await sut.app.get(VisitStore).close();
      const res = await api(sut.server).post('/visits').expect(503);
      expect(res.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
      expect(res.body.message).toMatch(/not recorded/);
      expect((await api(sut.server).get('/visits')).body.count).toBe(1);
      await api(sut.ops, 'ops').get('/health/ready').expect(503);
    });
  });

  describe('GET /', () => {
    it('records a visit and answers JSON with the time in UTC and in TIMEZONE', async () => {
      const res = await api(sut.server)
        .get('/')
        .expect(200)
        .expect('content-type', /application\/json/);
      expect(res.body).toMatchObject({ pod: 'visits-test-0', count: 1, timezone: 'Europe/Berlin' });
      // One time format for the API (UTC, milliseconds, Z); the zone's time is its own field.
      expect(res.body.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(res.body.localTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0[12]:00$/);
      expect(Date.parse(res.body.localTime as string)).toBe(Date.parse(res.body.time as string));
      expect(Math.abs(Date.parse(res.body.time as string) - Date.now())).toBeLessThan(60_000);
      expect(res.headers.vary).toMatch(/Accept/);
    });

    it('answers a page to a browser: the count, the pod, the time in TIMEZONE, recent visits, the fleet', async () => {
      await api(sut.server).post('/visits').expect(201);
      const res = await api(sut.server)
        .get('/')
        .set('Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8')
        .expect(200)
        .expect('content-type', /text\/html/);
      expect(res.text).toMatch(/<p class="count" data-count="2">2<\/p>/);
      expect(res.text).toContain('Pod <code class="pod">visits-test-0</code> has counted');
      // As a person reads it: "It is 16:46:01 in Europe/Berlin (CET), Saturday 21 November 2026."
      expect(res.text).toMatch(
        /It is <time datetime="[^"]+Z">\d\d:\d\d:\d\d<\/time> in Europe\/Berlin \((CET|CEST)\), [A-Z][a-z]+day \d{1,2} [A-Z][a-z]+ \d{4}\./,
      );
      expect(res.text.match(/<ol class="recent">(.*?)<\/ol>/)?.[1]?.match(/<li>/g)).toHaveLength(2);
      // Not configured: the chart shows this pod alone, and says why.
      expect(res.text).toMatch(/<li class="row self" data-pod="visits-test-0" data-count="2"/);
      expect(res.text).toContain('the fleet view is not configured');
      // Nothing fetched from anywhere: no scripts, no links, no images.
      expect(res.text).not.toMatch(/<script|<link|<img|src=|href=|@import|url\(/);
      expect(await count()).toBe(2);
    });

    it('escapes the pod name and the time zone on the page', async () => {
      await using odd = await startTestingApp({ POD_NAME: 'x<b>&"\'y' });
      const res = await api(odd.server).get('/').set('Accept', 'text/html').expect(200);
      expect(res.text).not.toContain('<b>');
      expect(res.text).toContain('x&lt;b&gt;&amp;&quot;&#39;y');
    });

    it('answers HEAD without counting a visit', async () => {
      await api(sut.server).head('/').expect(200);
      expect(await count()).toBe(0);
    });

    it('answers JSON to clients that accept anything', async () => {
      await api(sut.server)
        .get('/')
        .set('Accept', '*/*')
        .expect('content-type', /application\/json/);
    });
  });

  describe('GET /visits', () => {
    it('reports the count and recent visits newest first without recording one', async () => {
      for (let i = 0; i < 3; i++) await api(sut.server).post('/visits').expect(201);
      const res = await api(sut.server).get('/visits').expect(200);
      expect(res.body.count).toBe(3);
      expect(res.body.recent).toHaveLength(3);
      const times = (res.body.recent as string[]).map((t) => Date.parse(t));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      expect(await count()).toBe(3);
    });

    it('says in a header whether this pod takes visits, for the fleet view', async () => {
      const ready = await api(sut.server).get('/visits?limit=0').expect(200);
      expect(ready.headers['visits-ready']).toBe('true');
      sut.app.get(LifecycleService).beginShutdown();
      const leaving = await api(sut.server).get('/visits?limit=0').expect(200);
      expect(leaving.headers['visits-ready']).toBe('false');
    });

    it('bounds recent with ?limit', async () => {
      for (let i = 0; i < 5; i++) await api(sut.server).post('/visits');
      expect((await api(sut.server).get('/visits?limit=2').expect(200)).body.recent).toHaveLength(
        2,
      );
      expect((await api(sut.server).get('/visits?limit=0').expect(200)).body.recent).toEqual([]);
    });

    it.each(['-1', '1e12', 'abc', '1001', '', '2.5', '99999999999999999999'])(
      'answers limit=%s with a 400 JSON error and leaves the count alone',
      async (limit) => {
        await api(sut.server).post('/visits');
        const res = await api(sut.server).get(`/visits?limit=${limit}`).expect(400);
        expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
        expect(res.body.message).toMatch(/limit must be a whole number from 0 to 1000/);
        expect(await count()).toBe(1);
      },
    );

    it('refuses a repeated limit', async () => {
      await api(sut.server).get('/visits?limit=1&limit=2').expect(400);
    });
  });

  describe('caching and prefetching', () => {
    it.each([
      ['GET /', () => api(sut.server).get('/'), 200],
      ['GET / (the page)', () => api(sut.server).get('/').set('Accept', 'text/html'), 200],
      ['POST /visits', () => api(sut.server).post('/visits'), 201],
      ['GET /visits', () => api(sut.server).get('/visits'), 200],
    ] as const)('%s answers Cache-Control: no-store', async (_, send, status) => {
      const res = await send().expect(status);
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('keeps no-store on a visit the store refused', async () => {
      await sut.app.get(VisitStore).close();
      const res = await api(sut.server).post('/visits').expect(503);
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it.each([
      ['Sec-Purpose', 'prefetch'],
      ['Sec-Purpose', 'prefetch;prerender'],
      ['Purpose', 'prefetch'],
      ['X-Moz', 'prefetch'],
      ['X-Purpose', 'preview'],
    ])(
      'refuses a browser prefetch (%s: %s) with 403 and no-store, and records nothing',
      async (header, value) => {
        const res = await api(sut.server)
          .get('/')
          .set('Accept', 'text/html')
          .set(header, value)
          .expect(403);
        expect(res.headers['cache-control']).toBe('no-store');
        expect(res.body).toEqual({
          statusCode: 403,
          error: 'Forbidden',
          message: 'a prefetch records no visit: the visit is counted when the page is opened',
        });
        expect(await count()).toBe(0);
        // The navigation that follows is a visit.
        const page = await api(sut.server).get('/').set('Accept', 'text/html').expect(200);
        expect(page.text).toContain('<p class="count" data-count="1">1</p>');
      },
    );

    it('answers HEAD with a prefetch header like any HEAD, without counting', async () => {
      await api(sut.server).head('/').set('Sec-Purpose', 'prefetch').expect(200);
      expect(await count()).toBe(0);
    });
  });

  describe('the ops port', () => {
    it.each(['/health/live', '/health/ready', '/health/startup'])(
      '%s is up there and never counts as a visit',
      async (path) => {
        for (let i = 0; i < 3; i++) {
          const res = await api(sut.ops, 'ops').get(path).expect(200);
          expect(res.body.status).toBe('ok');
          expect(res.headers['cache-control']).toBe('no-store');
        }
        expect(await count()).toBe(0);
      },
    );

    it.each(['/health/live', '/health/ready', '/health/startup', '/metrics', '/version'])(
      '%s is 404 on the service port, like any unknown path',
      async (path) => {
        const res = await api(sut.server).get(path).expect(404);
        expect(res.body).toEqual({
          statusCode: 404,
          error: 'Not Found',
          message: `there is no route GET ${path}`,
        });
      },
    );

    it('serves no visit route', async () => {
      const res = await api(sut.ops, 'ops').post('/visits').expect(404);
      expect(res.body.message).toMatch(
        /there is no route POST \/visits on the ops port; it serves/,
      );
      await api(sut.ops, 'ops').get('/').expect(404);
      expect(await count()).toBe(0);
    });

    it('answers another method on its routes 405 with Allow, and HEAD without a body', async () => {
      const res = await api(sut.ops, 'ops').post('/metrics').expect(405);
      expect(res.headers.allow).toBe('GET, HEAD');
      expect(res.body).toMatchObject({ statusCode: 405, error: 'Method Not Allowed' });
      const head = await api(sut.ops, 'ops').head('/version').expect(200);
      expect(head.text).toBeUndefined();
      expect(head.headers['x-content-type-options']).toBe('nosniff');
    });

    it('/version answers the build: the package version, a revision and the Node version', async () => {
      const res = await api(sut.ops, 'ops')
        .get('/version')
        .expect(200)
        .expect('content-type', /application\/json/);
      const { version } = JSON.parse(
        await readFile(new URL('../../package.json', import.meta.url), 'utf8'),
      ) as { version: string };
      expect(res.body).toEqual({
        version,
        revision: expect.stringMatching(/^([0-9a-f]{40}|unknown)$/),
        node: process.version,
      });
    });

    it('readiness turns 503 as soon as shutdown begins, with the reason; liveness stays up', async () => {
      sut.app.get(LifecycleService).beginShutdown();
      const res = await api(sut.ops, 'ops').get('/health/ready').expect(503);
      expect(res.body.error.lifecycle).toEqual({ status: 'down', reason: 'shutting down' });
      await api(sut.ops, 'ops').get('/health/live').expect(200);
    });

    it('asks keep-alive clients to close their connection once shutdown begins', async () => {
      const keepAlive = { Connection: 'keep-alive' };
      const before = await api(sut.server).get('/visits').set(keepAlive);
      expect(before.headers.connection).toBe('keep-alive');
      sut.app.get(LifecycleService).beginShutdown();
      const after = await api(sut.server).post('/visits').set(keepAlive).expect(201);
      expect(after.headers.connection).toBe('close');
      const scrape = await api(sut.ops, 'ops').get('/metrics').set(keepAlive).expect(200);
      expect(scrape.headers.connection).toBe('close');
    });
  });

  describe('metrics', () => {
    const scrape = async () =>
      (
        await api(sut.ops, 'ops')
          .get('/metrics')
          .expect(200)
          .expect('content-type', /text\/plain/)
      ).text;

    it('exposes visit figures that match the count, and request durations for traffic only', async () => {
      for (let i = 0; i < 4; i++) await api(sut.server).post('/visits');
      await api(sut.server).get('/');
      await api(sut.ops, 'ops').get('/health/ready');
      await api(sut.ops, 'ops').get('/version');
      await api(sut.server).get('/nope');
      const text = await scrape();
      expect(text).toMatch(/^visits_recorded_total 5$/m);
      expect(text).toMatch(/^visits_stored 5$/m);
      expect(text).toMatch(/^visits_store_batch_size_sum 5$/m);
      expect(text).toMatch(/^visits_store_sync_duration_seconds_count \d+$/m);
      expect(text).toMatch(
        /^http_request_duration_seconds_count\{method="POST",route="\/visits",status_code="201"\} 4$/m,
      );
      expect(text).toMatch(
        /^http_request_duration_seconds_count\{method="GET",route="\/",status_code="200"\} 1$/m,
      );
      expect(text).toMatch(/route="unmatched",status_code="404"/);
      expect(text).not.toMatch(/route="\/health/);
      expect(text).not.toMatch(/route="\/(metrics|version)"/);
      expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
      expect(text).not.toMatch(/pod=/);
    });

    it('exposes the data volume: free bytes, what readiness requires, and whether it is low', async () => {
      const store = sut.app.get(VisitStore);
      const required = store.journalCapacity + VOLUME_MARGIN_BYTES;
      const ready = await api(sut.ops, 'ops').get('/health/ready').expect(200);
      expect(ready.body.details.volume).toMatchObject({
        status: 'up',
        freeBytes: expect.any(Number),
        requiredBytes: required,
      });
      const text = await scrape();
      const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
      expect(value(METRIC_NAMES.volumeFreeBytes)).toBeGreaterThan(required);
      expect(value(METRIC_NAMES.volumeRequiredBytes)).toBe(required);
      expect(value(METRIC_NAMES.volumeLow)).toBe(0);
    });

    it("reports the store's state, one series per state, and no failed write yet", async () => {
      const text = await scrape();
      for (const state of ['opening', 'degraded', 'failed', 'closing', 'closed']) {
        expect(text).toContain(`visits_store_state{state="${state}"} 0\n`);
      }
      expect(text).toContain('visits_store_state{state="open"} 1\n');
      expect(text).toContain('visits_store_write_failures_total{operation="commit"} 0\n');
      expect(text).toContain('visits_store_write_failures_total{operation="compaction"} 0\n');
    });

    it('reports the build it runs, as /version does', async () => {
      const version = (await api(sut.ops, 'ops').get('/version')).body as Record<string, string>;
      expect(await scrape()).toContain(
        `visits_build_info{version="${version['version']}",revision="${version['revision']}"} 1\n`,
      );
    });

    it('records methods it does not serve as "other", and a 405 with its route', async () => {
      for (const method of ['delete', 'put', 'patch', 'trace'] as const) {
        await api(sut.server)[method]('/visits').expect(405);
      }
      await api(sut.server).options('/visits');
      const text = await scrape();
      expect(text).toMatch(
        /^http_request_duration_seconds_count\{method="other",route="\/visits",status_code="405"\} 4$/m,
      );
      expect(text).toMatch(/method="OPTIONS",route="\/visits"/);
      expect(text).not.toMatch(/method="(DELETE|PUT|PATCH|TRACE)"/);
      expect(text).not.toMatch(/route="unmatched",status_code="405"/);
    });

    it("leaves out prom-client's gauges named like counters, keeping the per-type ones", async () => {
      const text = await scrape();
      expect(text).not.toMatch(/^nodejs_active_(handles|requests|resources)_total/m);
      expect(text).toMatch(/^# TYPE nodejs_active_handles gauge$/m);
    });
  });

  describe('errors', () => {
    const postJson = (body: string) =>
      api(sut.server).post('/visits').set('Content-Type', 'application/json').send(body);

    it('answers an unknown path with a 404 JSON error', async () => {
      const res = await api(sut.server).get('/no/such/thing').expect(404);
      expect(res.body).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: 'there is no route GET /no/such/thing',
      });
    });

    it('answers a wrong method with 405 and the allowed ones', async () => {
      const res = await api(sut.server).delete('/visits').expect(405);
      expect(res.headers.allow).toBe('GET, HEAD, POST');
      expect(res.body).toMatchObject({ statusCode: 405, error: 'Method Not Allowed' });
      expect(await count()).toBe(0);
    });

    it('answers an oversized body with 413 and records nothing', async () => {
      const res = await postJson(JSON.stringify({ pad: 'x'.repeat(64 * 1024) })).expect(413);
      expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
      expect(await count()).toBe(0);
    });

    it('answers a malformed JSON body with 400 and records nothing', async () => {
      const res = await postJson('{"broken": ').expect(400);
      expect(res.body.statusCode).toBe(400);
      expect(await count()).toBe(0);
    });

    it('never leaks stack traces or file paths', async () => {
      const responses = await Promise.all([
        api(sut.server).get('/visits?limit=abc'),
        postJson('{'),
        api(sut.server).patch('/'),
      ]);
      for (const res of responses) {
        expect(res.text).not.toMatch(/\bat .*\(|\/src\/|node_modules|\.ts:\d+/);
      }
    });

    it('sets security headers', async () => {
      const res = await api(sut.server).get('/visits');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    });
  });
});
