import type { Server } from 'node:http';
import request from 'supertest';
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

/** Checks a response read off a raw socket against the description; returns it. */
export function described(
  raw: string | Buffer,
  response: RawResponse | undefined,
  port: Port = 'service',
): RawResponse | undefined {
  if (response !== undefined) description.check({ ...requestLine(raw), ...response, port });
  return response;
}
