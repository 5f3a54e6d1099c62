import { cp, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  HEADER_SIZE,
  RecordKind,
  encodeHeader,
  encodeRecord,
  recordSize,
  scanJournal,
} from '../../src/store/journal.js';
import { countOf, visit } from '../harness/http.js';
import { runToExit, ServiceProcess, type Ended } from '../harness/service-process.js';
import { expectRefusal } from '../harness/refusal.js';
import { faultWorkDir } from './support/suite.js';

const VISITS = 3;

describe('damaged store files at start', () => {
  let template: string;
  let dataDir: string;
  let cases = 0;

  const workDir = faultWorkDir('damage', 'damaged files', () => ({ cases }));
  beforeAll(async () => {
    template = join(workDir(), 'template');
    // A store as the service leaves it: three visits of one each, then a clean stop.
    const service = await ServiceProcess.start(template);
    for (let i = 0; i < VISITS; i++) expect((await visit(service.url)).status).toBe(201);
    expect((await service.stop()).code).toBe(0);
  });

  async function freshCopy(): Promise<{ journal: string; view: string; bytes: Buffer }> {
    dataDir = join(workDir(), `case-${++cases}`);
    await cp(template, dataDir, { recursive: true });
    const journal = join(dataDir, 'visits.journal');
    return { journal, view: join(dataDir, 'visits'), bytes: await readFile(journal) };
  }

  /** Refused: exit code 1, one fatal line that names the file and the problem, no stack trace. */
  function expectDamaged(ended: Ended, file: string, problem: RegExp): void {
    const context = `output:\n${ended.output}`;
    const { msg } = expectRefusal(ended);
    expect(msg, context).toContain(`${file} is damaged: `);
    expect(msg, context).toMatch(problem);
    expect(msg, context).toMatch(/refuses to start.*left untouched/);
    expect(ended.ms, 'refused at once').toBeLessThan(10_000);
  }

  const lastRecord = HEADER_SIZE + recordSize(0) + (VISITS - 1) * recordSize(1);
  const flip = (b: Buffer, at: number) => {
    const out = Buffer.from(b);
    out[at] = out[at]! ^ 0x04;
    return out;
  };

  const journalDamage: [string, (b: Buffer) => Buffer, RegExp][] = [
    ['a bit flip in the header', (b) => flip(b, 13), /header checksum does not match/],
    [
      'a bit flip in a middle record',
      (b) => flip(b, HEADER_SIZE + recordSize(0) + 14),
      /record 2 at byte \d+: its checksum does not match/,
    ],
    [
      'a bit flip in the last, acknowledged record',
      (b) => flip(b, lastRecord + 14),
      /holds 2 visits but .*visits shows 3.*records are missing/,
    ],
    ['truncation', (b) => b.subarray(0, b.length - 4096), /truncated or extended/],
    ['extension', (b) => Buffer.concat([b, Buffer.alloc(512)]), /truncated or extended/],
    [
      'an unknown format version (valid header checksum)',
      (b) => {
        const out = Buffer.from(b);
        encodeHeader({ version: 2, capacity: b.length, generation: 1n }).copy(out);
        return out;
      },
      /format version 2; this build reads version 1/,
    ],
    [
      'garbage',
      () => Buffer.from('{"count": 12, "note": "written by something else"}\n'),
      /journal signature/,
    ],
    ['a short file', () => Buffer.from('12\n'), /3 bytes, shorter than its 32-byte header/],
    ['an empty file', () => Buffer.alloc(0), /the file is empty/],
    ['zeroed records', (b) => Buffer.from(b).fill(0, HEADER_SIZE), /holds no records/],
    [
      'data after the end of the records',
      (b) => flip(b, b.length - 100),
      /unexpected data at byte \d+, after the end of the records/,
    ],
  ];

  it.each(journalDamage)(
    'refuses %s with exit code 1 and one clear line, leaving the files byte for byte',
    async (_, damage, problem) => {
      const { journal, view, bytes } = await freshCopy();
      const damaged = damage(bytes);
      await writeFile(journal, damaged);
      const viewBefore = await readFile(view);

      expectDamaged(await runToExit(dataDir), journal, problem);
      expect((await readFile(journal)).equals(damaged), 'journal untouched').toBe(true);
      expect((await readFile(view)).equals(viewBefore), 'view untouched').toBe(true);
    },
  );

  it('refuses a directory where the journal should be', async () => {
    const { journal } = await freshCopy();
    await unlink(journal);
    await mkdir(journal);
    expectDamaged(await runToExit(dataDir), journal, /it is a directory, not a file/);
  });

  it('refuses a directory where the visits file should be', async () => {
    const { view } = await freshCopy();
    await unlink(view);
    await mkdir(view);
    expectDamaged(await runToExit(dataDir), view, /it is a directory, not a file/);
  });

  it.each([
    ['garbage', 'three\n', /does not hold a plain count/],
    ['empty', '', /it is empty/],
    ['past 2^53-1', '9007199254740993\n', /above 2\^53-1/],
  ])(
    'refuses a visits file that is %s when there is no journal to recover from',
    async (_, content, problem) => {
      const { journal, view } = await freshCopy();
      await unlink(journal);
      await writeFile(view, content);
      expectDamaged(await runToExit(dataDir), view, problem);
      expect(await readFile(view, 'utf8')).toBe(content);
    },
  );

  it('rewrites a damaged visits file from the journal (the journal is the source of truth)', async () => {
    const { view } = await freshCopy();
    await writeFile(view, 'garbage');
    const service = await ServiceProcess.start(dataDir);
    expect(await countOf(service.url)).toBe(VISITS);
    expect(await readFile(view, 'utf8')).toBe(`${VISITS}\n`);
    expect((await service.stop()).code).toBe(0);
    expect(service.logLines()).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'rewrote the visits view from the journal' }),
    );
  });

  it('recovers from a torn last write: the state before it, a warning, and counting goes on', async () => {
    const { journal, bytes } = await freshCopy();
    const end = scanJournal(bytes, 100).end;
    const next = encodeRecord({
      kind: RecordKind.batch,
      count: VISITS + 1,
      added: 1,
      timestamps: [Date.now()],
    });
    const torn = Buffer.from(bytes);
    next.subarray(0, 21).copy(torn, end); // the first 21 bytes reached the disk, the rest did not

    await writeFile(journal, torn);
    const service = await ServiceProcess.start(dataDir);
    expect(await countOf(service.url)).toBe(VISITS);
    expect((await visit(service.url)).json()).toMatchObject({ count: VISITS + 1 });
    expect((await service.stop()).code).toBe(0);

    const warning = service.logLines().find((l) => l.level === 'warn');
    expect(warning, service.output()).toMatchObject({
      file: journal,
      offset: end,
      count: VISITS,
      msg: expect.stringMatching(/cut short by a crash; recovered the last complete state/),
    });
    // The repaired journal holds the recovered state and the new visit, with no torn tail left.
    const after = scanJournal(await readFile(journal), 100);
    expect(after.tornTail).toBeUndefined();
    expect(after.count).toBe(VISITS + 1);
  });
});
