import { describe, expect, it } from 'vitest';
import { OpenApiDescription, requestLine, type Exchange } from './openapi.ts';

const sut = OpenApiDescription.committed();
const json = { 'content-type': 'application/json; charset=utf-8' };
/** What every answer that shows a count carries, and GET /visits' readiness. */
const counted = { ...json, 'cache-control': 'no-store', 'visits-ready': 'true' };
const report = JSON.stringify({
  status: 'error',
  info: {},
  error: { x: { status: 'down' } },
  details: { x: { status: 'down' } },
});
const error = (status: number, message = 'a message long enough') =>
  JSON.stringify({ statusCode: status, error: 'Some Error', message });

describe('OpenApiDescription (docs/openapi.json as the judge of answers)', () => {
  it('accepts answers the description promises', () => {
    const ok: Exchange[] = [
      {
        method: 'POST',
        target: '/visits',
        status: 201,
        headers: counted,
        body: '{"pod":"visits-0","count":1}',
      },
      {
        method: 'GET',
        target: '/visits?limit=1',
        status: 200,
        headers: counted,
        body: '{"pod":"p","count":3,"recent":["2026-12-03T08:40:34.700Z"]}',
      },
      {
        method: 'GET',
        target: '/',
        status: 200,
        headers: { ...counted, 'content-type': 'text/html; charset=utf-8' },
        body: '<!doctype html>',
      },
      // HEAD is GET without a body; absolute-form targets name the same path.
      { method: 'HEAD', target: '/', status: 200, headers: counted, body: '' },
      {
        port: 'ops',
        method: 'GET',
        target: 'http://t/health/ready',
        status: 503,
        headers: { ...json, 'cache-control': 'no-store' },
        body: report,
      },
      // Each port's paths are unknown on the other.
      { method: 'GET', target: '/health/ready', status: 404, headers: json, body: error(404) },
      {
        port: 'ops',
        method: 'GET',
        target: '/visits',
        status: 404,
        headers: json,
        body: error(404),
      },
      {
        method: 'DELETE',
        target: '/visits',
        status: 405,
        headers: { ...json, allow: 'GET, HEAD, POST' },
        body: error(405),
      },
      { method: 'GET', target: '/nope', status: 404, headers: json, body: error(404) },
      { status: 400, headers: json, body: error(400) },
    ];
    for (const exchange of ok) expect(sut.problems(exchange), JSON.stringify(exchange)).toEqual([]);
  });

  it('refuses a status the operation does not document', () => {
    expect(
      sut.problems({
        method: 'GET',
        target: '/visits',
        status: 404,
        headers: json,
        body: error(404),
      }),
    ).toEqual([
      expect.stringMatching(/^GET \/visits: status 404 is not documented \(documented: 200, 400, /),
    ]);
    expect(
      sut.problems({ method: 'GET', target: '/nope', status: 200, headers: json, body: '{}' }),
    ).toEqual([
      expect.stringMatching(/no operation: x-unmatched-requests\): status 200 is not documented/),
    ]);
    // Methods are case-sensitive: `get` matches no operation.
    expect(
      sut.problems({ method: 'get', target: '/visits', status: 200, headers: json, body: '{}' }),
    ).toHaveLength(1);
  });

  it('refuses a body that does not match the schema', () => {
    const problems = sut.problems({
      method: 'GET',
      target: '/',
      status: 200,
      headers: counted,
      body: '{"pod":"p","count":1,"time":"2026-12-03T08:40:34.700+00:00","localTime":"2026-12-03T08:40:34.700+00:00","timezone":"UTC"}',
    });
    expect(problems).toEqual([expect.stringMatching(/^body\/time must match pattern/)]);
    expect(
      sut.problems({
        method: 'POST',
        target: '/visits',
        status: 503,
        headers: json,
        body: '{"statusCode":503}',
      }),
    ).toEqual(
      expect.arrayContaining([expect.stringMatching(/body must have required property 'message'/)]),
    );
    expect(
      sut.problems({
        method: 'POST',
        target: '/visits',
        status: 201,
        headers: counted,
        body: 'not json',
      }),
    ).toEqual([expect.stringMatching(/^the body is not JSON/)]);
  });

  it('holds each port to its own paths', () => {
    const ready = { method: 'GET', target: '/health/ready', status: 200 } as const;
    const up = JSON.stringify({ status: 'ok', info: {}, error: {}, details: {} });
    const headers = { ...json, 'cache-control': 'no-store' };
    expect(sut.problems({ ...ready, port: 'ops', headers, body: up })).toEqual([]);
    expect(sut.problems({ ...ready, headers, body: up })).toEqual([
      expect.stringMatching(/no operation: x-unmatched-requests\): status 200 is not documented/),
    ]);
  });

  it('refuses an undocumented media type and a missing required header', () => {
    expect(
      sut.problems({
        method: 'GET',
        target: '/visits',
        status: 200,
        headers: { 'content-type': 'text/plain' },
        body: 'x',
      }),
    ).toEqual([
      'header Cache-Control is required but missing',
      'header visits-ready is required but missing',
      expect.stringMatching(
        /^Content-Type text\/plain is not documented \(documented: application\/json\)/,
      ),
    ]);
    expect(
      sut.problems({
        method: 'PUT',
        target: '/visits',
        status: 405,
        headers: json,
        body: error(405),
      }),
    ).toEqual(['header Allow is required but missing']);
  });

  it('holds a preflight to its headers', () => {
    const preflight = (headers: Record<string, string>) =>
      sut.problems({ method: 'OPTIONS', target: '/visits', status: 204, headers, body: '' });
    const headers = {
      'access-control-allow-origin': 'https://example.com',
      'access-control-allow-methods': 'GET, HEAD, POST',
      'access-control-max-age': '600',
      vary: 'Origin',
    };
    expect(preflight(headers)).toEqual([]);
    expect(preflight({ ...headers, 'access-control-allow-methods': 'GET' })).toEqual([
      expect.stringMatching(/^header Access-Control-Allow-Methods must be equal to constant/),
    ]);
  });

  it('reads the request line of raw bytes', () => {
    expect(requestLine('GET /visits?limit=1 HTTP/1.1\r\nHost: t\r\n\r\n')).toEqual({
      method: 'GET',
      target: '/visits?limit=1',
    });
    expect(requestLine('HELLO THERE\r\n\r\n')).toEqual({});
  });
});
