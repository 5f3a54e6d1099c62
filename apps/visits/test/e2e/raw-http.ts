import { connect } from 'node:net';
import { described } from './described.js';

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Milliseconds from connecting to the connection closing. */
  readonly ms: number;
}

/**
 * Sends raw bytes (anything, valid HTTP or not) on a new connection and reads the first response,
 * until it is complete or the server closes the connection. Resolves undefined when the server
 * closed it without answering; rejects when the answer is not what docs/openapi.json describes.
 */
export function sendRaw(
  port: number,
  data: string | Buffer,
  options: { timeoutMs?: number; endAfterWrite?: boolean } = {},
): Promise<RawResponse | undefined> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(data);
      if (options.endAfterWrite === true) socket.end();
    });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer and no close within ${options.timeoutMs ?? 5_000} ms`));
    }, options.timeoutMs ?? 5_000);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      try {
        resolve(described(data, parseResponse(Buffer.concat(chunks), performance.now() - started)));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // A complete response on a connection kept open (keep-alive, an upgrade request) is enough.
      if (isComplete(Buffer.concat(chunks))) finish();
    });
    socket.on('error', () => {});
    socket.on('close', finish);
  });
}

/** Parses the first HTTP/1.1 response in `raw` (Content-Length or chunked or until close). */
export function parseResponse(raw: Buffer, ms = 0): RawResponse | undefined {
  const text = raw.toString('latin1');
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd === -1) return undefined;
  const [statusLine, ...lines] = text.slice(0, headEnd).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.subarray(Buffer.byteLength(text.slice(0, headEnd + 4), 'latin1'));
  if (headers['transfer-encoding'] === 'chunked') {
    const parts: Buffer[] = [];
    let at = 0;
    for (;;) {
      const lineEnd = body.indexOf('\r\n', at);
      if (lineEnd === -1) break;
      const size = parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
      if (!(size > 0)) break;
      parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  } else if (headers['content-length'] !== undefined) {
    body = body.subarray(0, Number(headers['content-length']));
  }
  return { status, headers, body: body.toString('utf8'), ms };
}

function isComplete(raw: Buffer): boolean {
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd === -1) return false;
  const head = raw.subarray(0, headEnd).toString('latin1').toLowerCase();
  const length = /\r\ncontent-length: *(\d+)/.exec(head)?.[1];
  if (length !== undefined) return raw.length - headEnd - 4 >= Number(length);
  if (/\r\ntransfer-encoding: *chunked/.test(head)) return raw.includes('\r\n0\r\n\r\n', headEnd);
  return false;
}
