import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HEADER_SIZE,
  JournalFormatError,
  encodeHeader,
  recordSize,
  scanJournal,
} from '../../src/store/journal.js';
import { StoreCorruptError } from '../../src/store/store.errors.js';
import {
  JOURNAL_FILE,
  VIEW_FILE,
  VisitStore,
  nodeIo,
  type StoreIo,
} from '../../src/store/visit-store.js';
import { Random } from './support/random.js';
import { LONG, SEED, report } from './support/settings.js';

const SCANS = LONG ? 200_000 : 10_000;
const OPENS = LONG ? 20_000 : 1_000;
const HISTORIES = LONG ? 60 : 16;

/** Real writes, no syncs: durability is not what this file tests, parsing is. */
const fastIo: StoreIo = {
  write: (file, data, position) => nodeIo.write(file, data, position),
  datasync: async () => {},
};

/** One journal file as the store left it, and the count after each of its records. */
interface Image {
  readonly bytes: Buffer;
  readonly keep: number;
  /** Counts of the snapshot and of every batch record in this file: the states it ever held. */
  readonly counts: ReadonlySet<number>;
  readonly last: number;
}

/** Record boundaries and counts of a valid journal, read independently of scanJournal. */
function records(bytes: Buffer): { offset: number; length: number; count: number }[] {
  const out = [];
  let at = HEADER_SIZE;
  while (at + 8 <= bytes.length && bytes.readUInt32LE(at) !== 0) {
    const length = 12 + bytes.readUInt32LE(at + 4);
    out.push({ offset: at, length, count: Number(bytes.readBigUInt64LE(at + 12)) });
    at += length;
  }
  return out;
}

function imageOf(bytes: Buffer, keep: number): Image {
  const counts = records(bytes).map((r) => r.count);
  return { bytes, keep, counts: new Set(counts), last: counts.at(-1) ?? 0 };
}

/**
 * Journals written by the real store: random batch sizes, small capacities so that compactions
 * happen, and copies of the file taken at random moments of its history.
 */
async function writeHistories(random: Random, dir: string): Promise<Image[]> {
  const images: Image[] = [];
  for (let h = 0; h < HISTORIES; h++) {
    const keep = random.int(1, 12);
    const journalCapacity = HEADER_SIZE + recordSize(keep) * 2 + random.int(0, 3_000);
    const data = join(dir, `history-${h}`);
    const store = await VisitStore.open({
      dir: data,
      recentLimit: keep,
      journalCapacity,
      io: fastIo,
      clock: () => random.int(0, 2 ** 41),
    });
    const batches = random.int(5, 120);
    for (let b = 0; b < batches; b++) {
      await Promise.all(Array.from({ length: random.int(1, 20) }, () => store.record()));
      if (random.chance(0.1) || b === batches - 1)
        images.push(imageOf(await readFile(join(data, JOURNAL_FILE)), keep));
    }
    await store.close();
  }
  return images;
}

type Mutation = (b: Buffer, random: Random, image: Image) => Buffer;

/** Damage of every kind a disk, a crash, an operator or a bug can do (no forged checksums). */
const mutations: Record<string, Mutation> = {
  flipBits(b, r) {
    const out = Buffer.from(b);
    for (let i = r.int(1, 8); i > 0; i--) {
      const at = r.int(0, out.length - 1);
      out[at] = out[at]! ^ (1 << r.int(0, 7));
    }
    return out;
  },
  setByte(b, r) {
    const out = Buffer.from(b);
    out[r.int(0, out.length - 1)] = r.int(0, 255);
    return out;
  },
  randomRange(b, r) {
    const out = Buffer.from(b);
    const at = r.int(0, out.length - 1);
    r.bytes(r.int(1, 64)).copy(out, at);
    return out;
  },
  zeroRange(b, r) {
    const out = Buffer.from(b);
    const at = r.int(0, out.length - 1);
    out.fill(0, at, Math.min(out.length, at + r.int(1, 256)));
    return out;
  },
  truncate(b, r) {
    return b.subarray(0, r.int(0, b.length - 1));
  },
  extend(b, r) {
    return Buffer.concat([b, r.chance(0.5) ? Buffer.alloc(r.int(1, 4096)) : r.bytes(r.int(1, 64))]);
  },
  copyChunk(b, r) {
    const out = Buffer.from(b);
    const from = r.int(0, out.length - 1);
    out.copy(out, r.int(0, out.length - 1), from, Math.min(out.length, from + r.int(1, 512)));
    return out;
  },
  garbage(_, r) {
    return r.bytes(r.int(1, 4096));
  },
  empty() {
    return Buffer.alloc(0);
  },
  otherVersion(b, r) {
    // A header that is intact apart from its version (a valid checksum over it).
    if (b.length < HEADER_SIZE) return b;
    const out = Buffer.from(b);
    const header = encodeHeader({
      version: r.pick([0, 2, 3, 255, 0xffffffff]),
      capacity: out.readUInt32LE(12),
      generation: out.readBigUInt64LE(16),
    });
    header.copy(out, 0);
    return out;
  },
  otherCapacity(b, r) {
    if (b.length < HEADER_SIZE) return b;
    const out = Buffer.from(b);
    const capacity = Math.max(0, out.length + r.pick([-4096, -1, 1, 8, 4096]));
    encodeHeader({ version: 1, capacity, generation: out.readBigUInt64LE(16) }).copy(out, 0);
    return out;
  },
  loseTail(b, r, image) {
    // Writes after some record never reached the disk: a state the file really held.
    const recs = records(image.bytes);
    const from = recs[r.int(1, Math.max(1, recs.length - 1))];
    const out = Buffer.from(b);
    if (from !== undefined) out.fill(0, from.offset);
    return out;
  },
  tearRecord(b, r, image) {
    // The last record cut short: only its first bytes written.
    const last = records(image.bytes).at(-1);
    const out = Buffer.from(b);
    if (last !== undefined && last.length > 1)
      out.fill(0, last.offset + r.int(1, last.length - 1), last.offset + last.length);
    return out;
  },
  dropRecord(b, r, image) {
    const recs = records(image.bytes);
    const victim = recs[r.int(0, recs.length - 1)];
    if (victim === undefined) return b;
    const out = Buffer.alloc(b.length);
    b.copy(out, 0, 0, victim.offset);
    b.copy(out, victim.offset, victim.offset + victim.length);
    return out;
  },
  swapRecords(b, r, image) {
    const recs = records(image.bytes);
    if (recs.length < 2) return b;
    const i = r.int(0, recs.length - 2);
    const [x, y] = [recs[i]!, recs[i + 1]!];
    const out = Buffer.from(b);
    Buffer.concat([b.subarray(y.offset, y.offset + y.length), b.subarray(x.offset, y.offset)]).copy(
      out,
      x.offset,
    );
    return out;
  },
  replayRecord(b, r, image) {
    // An old record written again after the end (a bug or a misdirected write).
    const recs = records(image.bytes);
    const end = recs.at(-1);
    const old = recs[r.int(0, recs.length - 1)];
    if (end === undefined || old === undefined) return b;
    const out = Buffer.from(b);
    b.copy(out, end.offset + end.length, old.offset, old.offset + old.length);
    return out;
  },
};

const RECORD_AWARE = new Set([
  'loseTail',
  'tearRecord',
  'dropRecord',
  'swapRecords',
  'replayRecord',
]);

describe('fuzzing the journal: mutated files are refused or read as a state they really held', () => {
  let dir: string;
  let images: Image[];
  const random = new Random(SEED ^ 0xf022);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'visits-faults-fuzz-'));
    images = await writeHistories(random, dir);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function mutate(image: Image): { bytes: Buffer; applied: string[] } {
    const names = Object.keys(mutations);
    const applied: string[] = [];
    let bytes = image.bytes;
    for (let n = random.int(1, 3); n > 0; n--) {
      const name = random.pick(names);
      // Mutations that work on records (or bytes) need the file at its size, and some bytes.
      if (bytes.length !== image.bytes.length && RECORD_AWARE.has(name)) continue;
      if (bytes.length === 0 && name !== 'garbage' && name !== 'extend') continue;
      applied.push(name);
      bytes = mutations[name]!(bytes, random, image);
    }
    return { bytes, applied };
  }

  it(`scanJournal: ${SCANS} mutated journals, no uncaught exception, no count the file never held`, () => {
    const outcomes = { refused: 0, accepted: 0, tornTails: 0 };
    for (let i = 0; i < SCANS; i++) {
      const image = random.pick(images);
      const { bytes, applied } = mutate(image);
      const where = `mutation ${i} [${applied.join(', ')}] (FAULTS_SEED=${SEED})`;
      let scan;
      try {
        scan = scanJournal(bytes, image.keep);
      } catch (error) {
        if (!(error instanceof JournalFormatError))
          throw new Error(`${where}: ${String(error)}`, { cause: error });
        expect(error.problem.length, where).toBeGreaterThan(10);
        outcomes.refused++;
        continue;
      }
      outcomes.accepted++;
      if (scan.tornTail !== undefined) outcomes.tornTails++;
      expect(image.counts.has(scan.count), `${where}: accepted count ${scan.count}`).toBe(true);
      expect(scan.end, where).toBeLessThanOrEqual(bytes.length);
      expect(scan.timestamps.length, where).toBeLessThanOrEqual(image.keep);
    }
    expect(outcomes.refused).toBeGreaterThan(0);
    expect(outcomes.accepted).toBeGreaterThan(0);
    report('journal fuzz (scanJournal)', { files: SCANS, images: images.length, ...outcomes });
  });

  it(
    `VisitStore.open: ${OPENS} mutated journals beside their visits file; refused ones left byte for byte`,
    { timeout: 600_000 },
    async () => {
      const outcomes = { refused: 0, opened: 0 };
      const data = join(dir, 'open');
      for (let i = 0; i < OPENS; i++) {
        const image = random.pick(images);
        const { bytes, applied } = mutate(image);
        const where = `open ${i} [${applied.join(', ')}] (FAULTS_SEED=${SEED})`;
        // The view as the store leaves it (the last acknowledged count), an older one, or none.
        const view = random.pick([`${image.last}\n`, `${random.int(0, image.last)}\n`, undefined]);
        await rm(data, { recursive: true, force: true });
        await VisitStore.open({ dir: data, io: fastIo }).then((s) => s.close());
        await writeFile(join(data, JOURNAL_FILE), bytes);
        if (view === undefined) await unlink(join(data, VIEW_FILE));
        else await writeFile(join(data, VIEW_FILE), view);

        let store: VisitStore;
        try {
          store = await VisitStore.open({ dir: data, recentLimit: image.keep, io: fastIo });
        } catch (error) {
          if (!(error instanceof StoreCorruptError))
            throw new Error(`${where}: ${String(error)}`, { cause: error });
          expect(error.message, where).toContain(data);
          expect((await readFile(join(data, JOURNAL_FILE))).equals(bytes), where).toBe(true);
          if (view !== undefined) expect(await readFile(join(data, VIEW_FILE), 'utf8')).toBe(view);
          outcomes.refused++;
          continue;
        }
        outcomes.opened++;
        const count = store.count;
        await store.close();
        expect(image.counts.has(count), `${where}: opened at ${count}`).toBe(true);
        if (view !== undefined)
          expect(count, `${where}: below its visits file`).toBeGreaterThanOrEqual(Number(view));
      }
      expect(outcomes.refused).toBeGreaterThan(0);
      expect(outcomes.opened).toBeGreaterThan(0);
      report('journal fuzz (VisitStore.open)', { files: OPENS, ...outcomes });
    },
  );
});
