import { afterEach, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../test/harness/ports.js';
import { askPeer, PEER_PATH, PeerError, type AskOptions } from './peer-client.js';
import { PeerServer, type PeerBehaviour } from './testing/peer-server.js';

const peers: PeerServer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

async function peer(behaviour: PeerBehaviour): Promise<PeerServer> {
  const started = await PeerServer.start(behaviour);
  peers.push(started);
  return started;
}

const options = (overrides: Partial<AskOptions> = {}): AskOptions => ({
  timeoutMs: 300,
  signal: new AbortController().signal,
  from: 'visits-0',
  ...overrides,
});

describe('askPeer', () => {
  it('asks GET /visits?limit=0 and reads the count, the name and the readiness header', async () => {
    const sut = await peer({ kind: 'count', pod: 'visits-2', count: 41 });
    expect(await askPeer(sut.target, options())).toEqual({
      pod: 'visits-2',
      count: 41,
      ready: true,
    });
    expect(sut.requests).toEqual([
      { method: 'GET', url: PEER_PATH, userAgent: 'visits-fleet (visits-0)' },
    ]);

    sut.behaviour = { kind: 'count', pod: 'visits-2', count: 41, ready: false };
    expect(await askPeer(sut.target, options())).toMatchObject({ ready: false });
    sut.behaviour = { kind: 'count', pod: 'visits-2', count: 41, ready: null };
    expect(await askPeer(sut.target, options())).toMatchObject({ ready: null });
  });

  it('gives up on a peer that accepts the connection and never answers, after the timeout', async () => {
    const sut = await peer({ kind: 'hang' });
    await expect(askPeer(sut.target, options({ timeoutMs: 100 }))).rejects.toThrow(
      new PeerError('no answer within 100 ms'),
    );
  });

  it('says when nothing listens at the address', async () => {
    const port = await freePort();
    await expect(
      askPeer({ host: '127.0.0.1', port, address: `127.0.0.1:${port}` }, options()),
    ).rejects.toThrow(new PeerError('connection refused: nothing listens there (ECONNREFUSED)'));
  });

  it.each([
    [
      { kind: 'raw', status: 200, body: '<html>hello</html>' },
      'answered something that is not JSON: "<html>hello</html>"',
    ],
    [
      { kind: 'raw', status: 200, body: '{"pod":"visits-1","count":-1}' },
      `answered JSON that is not a pod's count: "{\\"pod\\":\\"visits-1\\",\\"count\\":-1}"`,
    ],
    [
      { kind: 'raw', status: 200, body: '{"pod":"a b","count":1}' },
      `answered JSON that is not a pod's count`,
    ],
    [
      { kind: 'raw', status: 200, body: '{"pod":"visits-1","count":1.5}' },
      `answered JSON that is not a pod's count`,
    ],
    [{ kind: 'raw', status: 200, body: '[1,2]' }, `answered JSON that is not a pod's count`],
    [
      { kind: 'raw', status: 200, body: 'x'.repeat(200) },
      `answered something that is not JSON: "${'x'.repeat(60)}…"`,
    ],
    [{ kind: 'raw', status: 503, body: '{}' }, 'answered HTTP 503 instead of its count'],
    [{ kind: 'endless' }, 'answered more than 16384 bytes'],
  ] as [PeerBehaviour, string][])(
    'refuses a peer that answers garbage: %j',
    async (behaviour, message) => {
      const sut = await peer(behaviour);
      const error = await askPeer(sut.target, options({ timeoutMs: 2_000 })).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PeerError);
      expect((error as Error).message.startsWith(message), (error as Error).message).toBe(true);
    },
  );

  it('ends at once, with the deadline as the reason, when the deadline passes', async () => {
    const sut = await peer({ kind: 'hang' });
    const deadline = new AbortController();
    const asked = askPeer(sut.target, options({ timeoutMs: 10_000, signal: deadline.signal }));
    await vi.waitFor(() => expect(sut.requests).toHaveLength(1));
    const reason = new PeerError('deadline');
    deadline.abort(reason);
    await expect(asked).rejects.toBe(reason);
  });
});
