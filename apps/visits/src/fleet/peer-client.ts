import { request } from 'node:http';
import { isPodName, READY_HEADER } from '@stateful-visits/visits-contract';

/** Where one peer is asked. */
export interface PeerTarget {
  readonly host: string;
  readonly port: number;
  /** `host:port` (IPv6 in brackets), as the answer lists it. */
  readonly address: string;
}

/** What a peer said about itself. */
export interface PeerAnswer {
  readonly pod: string;
  readonly count: number;
  readonly ready: boolean | null;
}

/** A peer that did not give its count; the message says why, for people. */
export class PeerError extends Error {
  override readonly name = 'PeerError';
}

export interface AskOptions {
  readonly timeoutMs: number;
  /** The overall deadline: aborting it ends the request at once. */
  readonly signal: AbortSignal;
  /** Sent as the User-Agent, so a peer's access log says who asked. */
  readonly from: string;
}

/** The peer's own count, without recording a visit; a peer asked this never asks its own peers. */
export const PEER_PATH = '/visits?limit=0';
/** `{ pod, count, recent: [] }` is well under this; anything longer is not a visits answer. */
const MAX_BODY_BYTES = 16 * 1024;

const SOCKET_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused: nothing listens there',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved right now',
  EPIPE: 'the connection was closed',
};

function describe(error: unknown): string {
  if (error instanceof PeerError) return error.message;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return `${SOCKET_ERRORS[code] ?? 'the request failed'} (${code})`;
  return `the request failed: ${String(error)}`;
}

/** `text` shortened to `max` characters, for a message that quotes what a peer sent. */
function excerpt(text: string, max = 60): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

/** Reads a peer's answer: a 200 with `{ pod, count }`, anything else is a PeerError. */
export function parsePeerAnswer(
  status: number,
  body: string,
  readyHeader: string | string[] | undefined,
): PeerAnswer {
  if (status !== 200) throw new PeerError(`answered HTTP ${status} instead of its count`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new PeerError(`answered something that is not JSON: ${excerpt(body)}`);
  }
  const { pod, count } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as {
    pod?: unknown;
    count?: unknown;
  };
  if (
    typeof pod !== 'string' ||
    !isPodName(pod) ||
    !Number.isSafeInteger(count) ||
    (count as number) < 0
  ) {
    throw new PeerError(`answered JSON that is not a pod's count: ${excerpt(body)}`);
  }
  const ready = readyHeader === 'true' ? true : readyHeader === 'false' ? false : null;
  return { pod, count: count as number, ready };
}

/**
 * Asks one peer for its count: `GET /visits?limit=0` on a connection of its own. Rejects with a
 * PeerError that says why when the peer does not answer within `timeoutMs`, cannot be reached,
 * or answers anything but its count; rejects with the signal's reason when the deadline passes.
 */
export function askPeer(target: PeerTarget, options: AskOptions): Promise<PeerAnswer> {
  const { signal, timeoutMs } = options;
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const req = request({
      host: target.host,
      port: target.port,
      path: PEER_PATH,
      method: 'GET',
      headers: { accept: 'application/json', 'user-agent': `visits-fleet (${options.from})` },
      // A connection per question: a pod that was replaced leaves no stale socket behind.
      agent: false,
    });
    let settled = false;
    const finish = (error: unknown, answer?: PeerAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (answer) resolve(answer);
      else reject(error === signal.reason ? (error as Error) : new PeerError(describe(error)));
      req.destroy();
    };
    const onAbort = () => finish(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () => finish(new PeerError(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on('error', (error) => finish(error));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          finish(new PeerError(`answered more than ${MAX_BODY_BYTES} bytes: not a pod's count`));
        } else chunks.push(chunk);
      });
      res.on('error', (error) => finish(error));
      res.on('end', () => {
        try {
          const body = Buffer.concat(chunks).toString('utf8');
          finish(undefined, parsePeerAnswer(res.statusCode ?? 0, body, res.headers[READY_HEADER]));
        } catch (error) {
          finish(error);
        }
      });
    });
    req.end();
  });
}
