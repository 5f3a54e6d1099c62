import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../harness/paths.js';
import { api } from './described.js';
import { startTestingApp, type TestingApp } from './testing-app.js';

describe('GET /openapi.json (ops port)', () => {
  let sut: TestingApp | undefined;
  afterEach(async () => {
    await sut?.[Symbol.asyncDispose]();
  });

  it('serves the committed description, built from the code with the service', async () => {
    sut = await startTestingApp();
    const res = await api(sut.ops, 'ops')
      .get('/openapi.json')
      .expect(200)
      .expect('content-type', /^application\/json/);
    const committed = await readFile(join(REPO_ROOT, 'docs', 'openapi.json'), 'utf8');
    expect(
      res.text,
      'dist/openapi.json (what the service serves, written by the build) differs from docs/openapi.json: run npm run build, and npm run openapi -w @stateful-visits/visits',
    ).toBe(committed);
    expect(res.body).toMatchObject({ openapi: '3.1.0', info: { title: 'stateful-visits' } });
    await api(sut.ops, 'ops').head('/openapi.json').expect(200);
    // The ops port's alone: the service port (the one clients reach) does not serve it.
    await api(sut.server).get('/openapi.json').expect(404);
  });
});

const ALLOWED = 'https://widgets.example';
const OTHER = 'https://elsewhere.example';

describe('CORS', () => {
  let sut: TestingApp;
  afterEach(async () => {
    await sut[Symbol.asyncDispose]();
  });
  const count = async () =>
    (await api(sut.server).get('/visits?limit=0').expect(200)).body.count as number;
  const preflight = (path: string, origin: string, method = 'POST') =>
    api(sut.server)
      .options(path)
      .set('Origin', origin)
      .set('Access-Control-Request-Method', method);
  const corsHeaders = (headers: Record<string, string>) =>
    Object.keys(headers).filter((name) => name.startsWith('access-control-'));

  describe('off (CORS_ORIGINS unset): as before', () => {
    it('answers a preflight 405 with Allow and no CORS headers', async () => {
      sut = await startTestingApp();
      const res = await preflight('/visits', ALLOWED).expect(405);
      expect(res.headers['allow']).toBe('GET, HEAD, POST');
      expect(corsHeaders(res.headers)).toEqual([]);
    });

    it('adds no CORS headers and no Vary: Origin to answers', async () => {
      sut = await startTestingApp();
      const res = await api(sut.server).post('/visits').set('Origin', ALLOWED).expect(201);
      expect(corsHeaders(res.headers)).toEqual([]);
      expect(res.headers['vary']).toBeUndefined();
    });
  });

  describe('on for a list of origins', () => {
    const start = async () => {
      sut = await startTestingApp({ CORS_ORIGINS: `${ALLOWED}, http://localhost:8080` });
    };

    it('answers a preflight from a listed origin 204 with the route, and records nothing', async () => {
      await start();
      const res = await preflight('/visits', ALLOWED)
        .set('Access-Control-Request-Headers', 'content-type, x-trace')
        .expect(204);
      expect(res.headers).toMatchObject({
        'access-control-allow-origin': ALLOWED,
        'access-control-allow-methods': 'GET, HEAD, POST',
        'access-control-allow-headers': 'content-type, x-trace',
        'access-control-max-age': '600',
        vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      });
      expect(res.text).toBe('');
      const root = await preflight('/', 'http://localhost:8080', 'GET').expect(204);
      expect(root.headers['access-control-allow-methods']).toBe('GET, HEAD');
      expect(root.headers['access-control-allow-headers']).toBeUndefined();
      expect(await count()).toBe(0);
    });

    it('answers a preflight from another origin 403, without CORS headers', async () => {
      await start();
      const res = await preflight('/visits', OTHER).expect(403);
      expect(corsHeaders(res.headers)).toEqual([]);
      expect(res.body.message).toBe(
        `a page on ${OTHER} may not call this API from a browser: that origin is not in the service's CORS_ORIGINS`,
      );
      // The origin must match exactly: scheme, host and port.
      await preflight('/visits', 'http://widgets.example').expect(403);
      await preflight('/visits', 'http://localhost:8081').expect(403);
    });

    it('lets a listed origin read the answers of the visit routes, errors included', async () => {
      await start();
      const post = await api(sut.server).post('/visits').set('Origin', ALLOWED).expect(201);
      expect(post.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(post.headers['vary']).toBe('Origin');
      const root = await api(sut.server).get('/').set('Origin', ALLOWED).expect(200);
      expect(root.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(root.headers['vary']).toBe('Accept, Origin');
      const bad = await api(sut.server).get('/visits?limit=abc').set('Origin', ALLOWED).expect(400);
      expect(bad.headers['access-control-allow-origin']).toBe(ALLOWED);
    });

    it('serves other origins without CORS headers (their pages cannot read the answer)', async () => {
      await start();
      const res = await api(sut.server).post('/visits').set('Origin', OTHER).expect(201);
      expect(corsHeaders(res.headers)).toEqual([]);
      expect(res.headers['vary']).toBe('Origin');
      const none = await api(sut.server).get('/visits').expect(200);
      expect(corsHeaders(none.headers)).toEqual([]);
    });

    it.each([
      ['ops', '/health/live'],
      ['ops', '/health/ready'],
      ['ops', '/health/startup'],
      ['ops', '/metrics'],
      ['ops', '/version'],
      ['service', '/fleet'],
      ['ops', '/openapi.json'],
    ] as const)(
      'never adds CORS headers on %s port %s, nor answers a preflight there',
      async (port, path) => {
        await start();
        const client = port === 'ops' ? api(sut.ops, 'ops') : api(sut.server);
        const res = await client.get(path).set('Origin', ALLOWED).expect(200);
        expect(corsHeaders(res.headers)).toEqual([]);
        expect(res.headers['vary'] ?? '').not.toMatch(/origin/i);
        const pre = await client
          .options(path)
          .set('Origin', ALLOWED)
          .set('Access-Control-Request-Method', 'GET');
        expect([404, 405]).toContain(pre.status);
        expect(corsHeaders(pre.headers)).toEqual([]);
      },
    );

    it('answers an OPTIONS that is not a preflight 405, as before', async () => {
      await start();
      await api(sut.server).options('/visits').set('Origin', ALLOWED).expect(405);
      await api(sut.server)
        .options('/visits')
        .set('Access-Control-Request-Method', 'POST')
        .expect(405);
    });

    it('allows only header names, as asked', async () => {
      await start();
      const res = await preflight('/visits', ALLOWED)
        .set('Access-Control-Request-Headers', 'content-type, bad header')
        .expect(204);
      expect(res.headers['access-control-allow-headers']).toBeUndefined();
    });
  });

  describe('on for any origin (*)', () => {
    it('answers every origin with *, and nothing varies on Origin', async () => {
      sut = await startTestingApp({ CORS_ORIGINS: '*' });
      const pre = await preflight('/visits', OTHER).expect(204);
      expect(pre.headers['access-control-allow-origin']).toBe('*');
      expect(pre.headers['vary']).toBe(
        'Access-Control-Request-Method, Access-Control-Request-Headers',
      );
      const res = await api(sut.server).post('/visits').set('Origin', 'null').expect(201);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['vary']).toBeUndefined();
      const metrics = await api(sut.ops, 'ops').get('/metrics').set('Origin', OTHER).expect(200);
      expect(corsHeaders(metrics.headers)).toEqual([]);
    });
  });
});
