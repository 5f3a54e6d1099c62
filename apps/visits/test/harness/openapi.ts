import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { requestPath } from '../../src/http/request-path.ts';
import { REPO_ROOT } from './paths.ts';

/** The port a request went to: the service's (`PORT`) or the ops port (`OPS_PORT`). */
export type Port = 'service' | 'ops';

/**
 * The extension that marks a path item served on the ops port (src/openapi/ops-paths.ts); the
 * others are on the service port.
 */
const PORT_EXTENSION = 'x-port';

/** A response as a client received it, with the request it answered. */
export interface Exchange {
  /** The port it was sent to; the service's when absent. */
  readonly port?: Port | undefined;
  /** The request's method; absent when the request was not HTTP at all. */
  readonly method?: string | undefined;
  /** The request target as sent (path and query). */
  readonly target?: string | undefined;
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body as text ('' when there was none). */
  readonly body: string;
}

type Json = Record<string, unknown>;
interface Response extends Json {
  readonly headers?: Record<string, Json>;
  readonly content?: Record<string, { schema?: Json }>;
}

const BASE = 'https://stateful-visits.invalid/openapi.json';
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/**
 * The committed OpenAPI description (docs/openapi.json), as a judge of responses: what status,
 * headers, media type and body a request may get. An operation's `responses` say it for the
 * requests it matches; `x-unmatched-requests` for requests no operation matches (unknown paths,
 * methods a path does not have, requests that are not HTTP).
 */
export class OpenApiDescription {
  private readonly ajv = new Ajv2020({ strict: true, allErrors: true });
  private readonly validators = new Map<object, ValidateFunction>();
  private readonly paths: { readonly template: string; readonly pattern: RegExp }[];

  constructor(readonly document: Json) {
    addFormats.default(this.ajv);
    // Schema references point into the document: it is registered whole, under a base URI the
    // references are rewritten to, with the keywords of its non-schema parts made known.
    this.ajv.addVocabulary(['openapi', 'info', 'servers', 'paths', 'components', 'tags']);
    this.ajv.addVocabulary(['x-unmatched-requests', 'security']);
    this.ajv.addSchema(absoluteRefs(document), BASE);
    this.paths = Object.keys(document['paths'] as Json).map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/\{[^/}]+\}/g, '[^/]+')}$`),
    }));
  }

  /** docs/openapi.json. */
  static committed(): OpenApiDescription {
    return new OpenApiDescription(
      JSON.parse(readFileSync(join(REPO_ROOT, 'docs', 'openapi.json'), 'utf8')) as Json,
    );
  }

  /** What is wrong with `exchange` by the description; empty when nothing is. */
  problems(exchange: Exchange): string[] {
    const { operation, where } = this.operationFor(exchange);
    const responses = operation?.['responses'] ?? this.document['x-unmatched-requests'];
    const declared = (responses ?? {}) as Record<string, Json>;
    const raw = declared[String(exchange.status)] ?? declared['default'];
    if (raw === undefined) {
      return [
        `${where}: status ${exchange.status} is not documented (documented: ${Object.keys(declared).join(', ')})`,
      ];
    }
    const response = this.resolve(raw) as Response;
    return [...this.headerProblems(exchange, response), ...this.bodyProblems(exchange, response)];
  }

  /** Throws, naming every problem, when `exchange` is not what the description says. */
  check(exchange: Exchange): void {
    const problems = this.problems(exchange);
    if (problems.length > 0) {
      throw new Error(
        `the answer to ${exchange.method ?? '(not HTTP)'} ${exchange.target ?? ''} is not what docs/openapi.json describes:\n  ${problems.join('\n  ')}\n  body: ${exchange.body.slice(0, 300)}`,
      );
    }
  }

  private operationFor(exchange: Exchange): { operation?: Json; where: string } {
    const method = exchange.method?.toLowerCase();
    const path = exchange.target === undefined ? undefined : requestPath(exchange.target);
    const unmatched = {
      where: `${exchange.method ?? '(not HTTP)'} ${path ?? ''} (no operation: x-unmatched-requests)`,
    };
    // HTTP methods are case-sensitive: `get` is not GET.
    if (method === undefined || path === undefined || exchange.method !== method.toUpperCase())
      return unmatched;
    const port = exchange.port ?? 'service';
    const items = this.document['paths'] as Record<string, Json>;
    // A path of the other port is no route on this one (404, as for any unknown path).
    const found = this.paths.find(
      (p) => p.pattern.test(path) && (items[p.template]![PORT_EXTENSION] ?? 'service') === port,
    );
    if (found === undefined || !METHODS.has(method)) return unmatched;
    const item = items[found.template]!;
    // HEAD is answered wherever GET is (Fastify), with GET's operation.
    const operation = (item[method] ?? (method === 'head' ? item['get'] : undefined)) as
      Json | undefined;
    return operation === undefined
      ? unmatched
      : { operation, where: `${exchange.method} ${found.template}` };
  }

  private headerProblems(exchange: Exchange, response: Response): string[] {
    const problems: string[] = [];
    for (const [name, raw] of Object.entries(response.headers ?? {})) {
      const header = this.resolve(raw);
      const value = exchange.headers[name.toLowerCase()];
      if (value === undefined) {
        if (header['required'] === true) problems.push(`header ${name} is required but missing`);
        continue;
      }
      const schema = header['schema'] as Json | undefined;
      if (schema !== undefined) {
        const text = Array.isArray(value) ? value.join(', ') : value;
        problems.push(...this.schemaProblems(schema, text, `header ${name}`));
      }
    }
    return problems;
  }

  private bodyProblems(exchange: Exchange, response: Response): string[] {
    const content = response.content;
    const bodyless =
      exchange.method === 'HEAD' || exchange.status === 204 || exchange.status === 304;
    if (content === undefined) {
      return exchange.body === ''
        ? []
        : [`no body is documented, got ${exchange.body.length} bytes`];
    }
    if (bodyless) return [];
    const contentType = exchange.headers['content-type'];
    const mediaType = (Array.isArray(contentType) ? contentType[0] : contentType)
      ?.split(';')[0]
      ?.trim()
      .toLowerCase();
    const key = Object.keys(content).find(
      (k) => k === mediaType || (k.endsWith('/*') && mediaType?.startsWith(k.slice(0, -1))),
    );
    if (mediaType === undefined || key === undefined) {
      return [
        `Content-Type ${String(contentType)} is not documented (documented: ${Object.keys(content).join(', ')})`,
      ];
    }
    const schema = content[key]?.schema;
    if (schema === undefined) return [];
    let body: unknown = exchange.body;
    if (/^application\/(.+\+)?json$/.test(key)) {
      try {
        body = JSON.parse(exchange.body);
      } catch {
        return [`the body is not JSON: ${exchange.body.slice(0, 100)}`];
      }
    }
    return this.schemaProblems(schema, body, 'body');
  }

  private schemaProblems(schema: Json, value: unknown, what: string): string[] {
    let validate = this.validators.get(schema);
    if (validate === undefined) {
      validate = this.ajv.compile(absoluteRefs(schema));
      this.validators.set(schema, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (e) => `${what}${e.instancePath} ${e.message ?? 'is invalid'} (${e.schemaPath})`,
    );
  }

  /** A `$ref` to an object in the document, followed (components.responses, headers). */
  private resolve(node: Json): Json {
    const ref = node['$ref'];
    if (typeof ref !== 'string') return node;
    let target: unknown = this.document;
    for (const part of ref.replace(/^#\//, '').split('/'))
      target = (target as Json)[part.replaceAll('~1', '/').replaceAll('~0', '~')];
    if (target === undefined) throw new Error(`docs/openapi.json: ${ref} points nowhere`);
    return this.resolve(target as Json);
  }
}

/** A copy of `node` whose `#/...` references name the document's base URI. */
function absoluteRefs(node: unknown): never {
  return JSON.parse(
    JSON.stringify(node, (key, value: unknown) =>
      key === '$ref' && typeof value === 'string' && value.startsWith('#')
        ? `${BASE}${value}`
        : value,
    ),
  ) as never;
}

/** The method and target of the first request line in `raw`, when there is one. */
export function requestLine(raw: string | Buffer): { method?: string; target?: string } {
  const text = (typeof raw === 'string' ? raw : raw.toString('latin1')).split('\r\n', 1)[0] ?? '';
  const match = /^(\S+) (\S+) HTTP\/\d\.\d$/.exec(text);
  return match === null ? {} : { method: match[1]!, target: match[2]! };
}
