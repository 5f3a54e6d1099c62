import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countOf, request, visit } from '../harness/http.js';
import { runToExit, ServiceProcess } from '../harness/service-process.js';
import { faultWorkDir } from './support/suite.js';

const MAX = Number.MAX_SAFE_INTEGER; // 2^53 - 1 = 9007199254740991

// Counts are JavaScript numbers, exact up to 2^53 - 1: at 10,000 visits a second that is 28,000
// years. The bound is enforced, not hoped for: past it a visit gets 507 and nothing is recorded.
describe('counts at and around 2^53 - 1 (seeded through a plain visits file, which the store adopts)', () => {
  let cases = 0;

  const workDir = faultWorkDir('large', 'large counts', () => ({ cases }));

  async function seeded(count: number): Promise<string> {
    const dataDir = join(workDir(), `case-${++cases}`);
    await mkdir(dataDir);
    await writeFile(join(dataDir, 'visits'), `${count}\n`);
    return dataDir;
  }

  it('counts exactly up to 2^53 - 1, then answers 507 and records nothing, also after a restart', async () => {
    const dataDir = await seeded(MAX - 3);
    const service = await ServiceProcess.start(dataDir);
    for (const expected of ['9007199254740989', '9007199254740990', '9007199254740991']) {
      const reply = await visit(service.url);
      expect(reply.status).toBe(201);
      expect(reply.text).toContain(`"count":${expected}`); // exact in the JSON text itself
    }
    for (const path of ['/visits', '/']) {
      const refused = await request(`${service.url}${path}`, {
        method: path === '/' ? 'GET' : 'POST',
      });
      expect(refused.status).toBe(507);
      expect(refused.json()).toEqual({
        statusCode: 507,
        error: 'Insufficient Storage',
        message: expect.stringMatching(/would pass 2\^53-1 \(9007199254740991\)/),
      });
      expect(refused.text).not.toMatch(/\bat .*\(|node_modules|\.js:\d+/);
    }
    expect(await countOf(service.url)).toBe(MAX);
    expect(await readFile(join(dataDir, 'visits'), 'utf8')).toBe(`${MAX}\n`);
    expect((await service.stop()).code).toBe(0);

    const restarted = await ServiceProcess.start(dataDir);
    expect(await countOf(restarted.url)).toBe(MAX);
    expect((await visit(restarted.url)).status).toBe(507);
    expect(await countOf(restarted.url)).toBe(MAX);
  });

  it('gives the last visits below the bound to concurrent clients and 507 to the rest', async () => {
    const dataDir = await seeded(MAX - 5);
    const service = await ServiceProcess.start(dataDir);
    const replies = await Promise.all(Array.from({ length: 64 }, () => visit(service.url)));
    const counts = replies.filter((r) => r.status === 201).map((r) => r.json().count as number);
    expect(counts.sort((a, b) => a - b)).toEqual([MAX - 4, MAX - 3, MAX - 2, MAX - 1, MAX]);
    expect(replies.filter((r) => r.status === 507)).toHaveLength(59);
    expect(await countOf(service.url)).toBe(MAX);
  });

  it.each([
    ['2^53', '9007199254740992'],
    ['far past it', '99999999999999999999'],
  ])('refuses to adopt a visits file at %s: it cannot be kept exactly', async (_, count) => {
    const dataDir = join(workDir(), `case-${++cases}`);
    await mkdir(dataDir);
    await writeFile(join(dataDir, 'visits'), `${count}\n`);
    const ended = await runToExit(dataDir);
    expect(ended.code, ended.output).toBe(1);
    expect(ended.lines.find((l) => l.level === 'fatal')?.msg).toMatch(/above 2\^53-1/);
    expect(await readFile(join(dataDir, 'visits'), 'utf8')).toBe(`${count}\n`);
  });
});
