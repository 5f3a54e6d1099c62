import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { isIPv4 } from 'node:net';

const TYPE_A = 1;
const TYPE_AAAA = 28;

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail] = address.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.from(all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

/**
 * A real DNS server over UDP on 127.0.0.1 for node:dns's resolver to ask: answers A and AAAA
 * queries for the names in `records`, NXDOMAIN for other names, and nothing at all while `silent`.
 */
export class DnsServer implements AsyncDisposable {
  /** Name (lowercase, no final dot) → its addresses, IPv4 and IPv6 mixed. */
  records = new Map<string, readonly string[]>();
  silent = false;
  queries = 0;

  private constructor(private readonly socket: Socket) {
    socket.on('message', (msg, from) => this.answer(msg, from));
  }

  static async start(): Promise<DnsServer> {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    return new DnsServer(socket);
  }

  /** For Resolver.setServers. */
  get server(): string {
    return `127.0.0.1:${this.socket.address().port}`;
  }

  private answer(query: Buffer, from: RemoteInfo): void {
    this.queries += 1;
    if (this.silent) return;
    // The question: length-prefixed labels from byte 12, then its type and class.
    const labels: string[] = [];
    let i = 12;
    while (query[i] !== 0) {
      const length = query[i]!;
      labels.push(query.subarray(i + 1, i + 1 + length).toString('ascii'));
      i += 1 + length;
    }
    const questionEnd = i + 5;
    const type = query.readUInt16BE(i + 1);
    const addresses = this.records.get(labels.join('.').toLowerCase());
    const matching = (addresses ?? []).filter((a) =>
      type === TYPE_A ? isIPv4(a) : type === TYPE_AAAA && !isIPv4(a),
    );
    const header = Buffer.alloc(12);
    query.copy(header, 0, 0, 2); // id
    header.writeUInt16BE(0x8180 | (addresses === undefined ? 3 : 0), 2); // response, NXDOMAIN or not
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(matching.length, 6);
    const answers = matching.map((address) => {
      const data = isIPv4(address)
        ? Buffer.from(address.split('.').map(Number))
        : ipv6Bytes(address);
      const record = Buffer.alloc(12);
      record.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
      record.writeUInt16BE(type, 2);
      record.writeUInt16BE(1, 4); // class IN
      record.writeUInt32BE(0, 6); // TTL
      record.writeUInt16BE(data.length, 10);
      return Buffer.concat([record, data]);
    });
    this.socket.send(
      Buffer.concat([header, query.subarray(12, questionEnd), ...answers]),
      from.port,
      from.address,
    );
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
