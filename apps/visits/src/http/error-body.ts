import { STATUS_CODES } from 'node:http';

/** What every error answer carries, whoever produced it: a route, Nest, Fastify or Node's parser. */
export interface ErrorBody {
  readonly statusCode: number;
  readonly error: string;
  readonly message: string;
}

/** The reason phrase for a status: Node's own table, the one the status line uses too. */
export function reasonPhrase(statusCode: number): string {
  return STATUS_CODES[statusCode] ?? (statusCode >= 500 ? 'Server Error' : 'Client Error');
}

export function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: reasonPhrase(statusCode), message };
}
