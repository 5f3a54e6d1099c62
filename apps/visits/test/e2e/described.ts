import type { Server } from 'node:http';
import request from 'supertest';
import * as http from '../harness/http.js';
import { OpenApiDescription, requestLine, type Port } from '../harness/openapi.js';
import type { RawResponse } from './raw-http.js';

// Every response an e2e test receives is held to docs/openapi.json: its status must be
// documented for the request, its headers, media type and body must match. A test that gets an
// answer the description does not promise fails with what differs. The clients here are the
// only ones the e2e tests use (eslint.config.js forbids supertest elsewhere in test/e2e).

/** docs/openapi.json, read once. */
export const description = OpenApiDescription.committed();

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options' | 'trace';

/**
 * supertest against `server`, each answer checked against the description: `port` says which
 * port `server` is (the service's `PORT`, or `OPS_PORT`, whose paths the description marks).
 */
export function api(
  server: Server,
  port: Port = 'service',
): Record<Method, (url: string) => request.Test> {
  const agent = request(server);
  const call = (method: Method) => (url: string) =>
    agent[method](url).expect((res: request.Response) =>
      description.check({
        method: method.toUpperCase(),
        target: url,
        port,
        status: res.status,
        headers: res.headers,
        body: res.text ?? '',
      }),
    );
  return {
    get: call('get'),
    post: call('post'),
    put: call('put'),
    patch: call('patch'),
    delete: call('delete'),
    head: call('head'),
    options: call('options'),
    trace: call('trace'),
  };
}

/**
 * The harness's node:http client for a service already listening at `base` (a URL), each answer
 * checked against the description like api()'s.
 */
export function apiAt(base: string, port: Port = 'service') {
  const send = async (target: string, options: http.RequestOptions = {}): Promise<http.Reply> => {
    const reply = await http.request(`${base}${target}`, options);
    description.check({
      method: options.method ?? 'GET',
      target,
      port,
      status: reply.status,
      headers: reply.headers,
      body: reply.text,
    });
    return reply;
  };
  const summary = async (limit: number) => {
    const reply = await send(`/visits?limit=${limit}`);
    if (reply.status !== 200)
      throw new Error(`GET /visits answered ${reply.status}: ${reply.text}`);
    return reply.json<http.VisitsSummary>();
  };
  return {
    send,
    /** The count the service reports (GET /visits?limit=0, which records nothing). */
    count: async () => (await summary(0)).count,
    /** `n` visits one after the other (POST /visits, each must answer 201); the counts acknowledged. */
    async record(n: number): Promise<number[]> {
      const counts: number[] = [];
      for (let i = 0; i < n; i++) {
        const reply = await send('/visits', { method: 'POST' });
        if (reply.status !== 201)
          throw new Error(`POST /visits answered ${reply.status}: ${reply.text}`);
        counts.push(reply.json<{ count: number }>().count);
      }
      return counts;
    },
  };
}

/** Checks a response read off a raw socket against the description; returns it. */
export function described(
  raw: string | Buffer,
  response: RawResponse | undefined,
  port: Port = 'service',
): RawResponse | undefined {
  if (response !== undefined) description.check({ ...requestLine(raw), ...response, port });
  return response;
}
