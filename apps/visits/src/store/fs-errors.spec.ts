import { statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccessFacts,
  describeFsError,
  parseSupplementaryGroups,
  readAccessFacts,
} from './fs-errors.js';

const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
const facts =
  (overrides: Partial<AccessFacts>): (() => AccessFacts) =>
  () => ({
    uid: 10001,
    gid: 10001,
    supplementaryGroups: [],
    owner: { uid: 0, gid: 0, mode: 0o750 },
    ...overrides,
  });

describe('describeFsError on a permission error', () => {
  it('says the volume ignored fsGroup when the process holds that group and the directory is another’s', () => {
    // What the pods saw on the in-tree hostPath provisioner's root:root 0750 directories.
    const sut = describeFsError(denied, '/data', facts({ supplementaryGroups: [10001] }));
    expect(sut).toMatch(
      /^permission denied on \/data \(running as uid 10001 gid 10001, supplementary groups 10001\): it belongs to uid 0 gid 0 \(mode 0750\)/,
    );
    expect(sut).toContain('the volume ignored securityContext.fsGroup');
    expect(sut).toContain('hostPath');
    expect(sut).toMatch(/local PersistentVolume.*chown 10001:10001.*init container/);
  });

  it('suggests fsGroup when the process holds no supplementary group (fsGroup not set)', () => {
    const sut = describeFsError(denied, '/data', facts({ supplementaryGroups: [] }));
    expect(sut).toBe(
      'permission denied on /data (running as uid 10001 gid 10001): give this user write access to the data ' +
        'directory, DATA_DIR (for example chown -R 10001:10001 on it, or securityContext.fsGroup in Kubernetes)',
    );
  });

  it('does not blame fsGroup when the directory already has the process’s group', () => {
    // fsGroup was applied (group 10001) but something else denies access: the general advice.
    const sut = describeFsError(
      denied,
      '/data',
      facts({ supplementaryGroups: [10001], owner: { uid: 0, gid: 10001, mode: 0o2750 } }),
    );
    expect(sut).not.toContain('ignored');
    expect(sut).toContain('chown -R 10001:10001');
  });

  it('does not blame fsGroup when the directory is the process’s own, or its owner is unknown', () => {
    for (const owner of [{ uid: 10001, gid: 0, mode: 0o500 }, undefined]) {
      expect(
        describeFsError(denied, '/data', facts({ supplementaryGroups: [10001], owner })),
      ).not.toContain('ignored');
    }
  });

  it('reads the facts only for permission errors', () => {
    const never = () => {
      throw new Error('must not be read');
    };
    const full = Object.assign(new Error('no space'), { code: 'ENOSPC' });
    expect(describeFsError(full, '/data', never)).toBe(
      'no space left on the device holding /data: free some space or grow the volume',
    );
  });
});

describe('parseSupplementaryGroups', () => {
  it('reads the Groups line of /proc/<pid>/status, which may be empty', () => {
    expect(parseSupplementaryGroups('Name:\tnode\nGroups:\t10001 20002 \nNgid:\t0\n')).toEqual([
      10001, 20002,
    ]);
    expect(parseSupplementaryGroups('Name:\tnode\nGroups:\t\nNgid:\t0\n')).toEqual([]);
    expect(parseSupplementaryGroups('Name:\tnode\n')).toEqual([]);
  });
});

describe('readAccessFacts', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fs-errors-'));
    await writeFile(join(dir, 'visits'), '1\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names this process and the owner of the path, or of its directory when it does not exist', () => {
    const me = { uid: process.getuid?.(), gid: process.getgid?.() };
    expect(readAccessFacts(join(dir, 'visits'))).toMatchObject({
      ...me,
      owner: { ...me, mode: statSync(join(dir, 'visits')).mode & 0o7777 },
    });
    // mkdtemp makes the directory 0700.
    expect(readAccessFacts(join(dir, 'visits.journal')).owner).toEqual({ ...me, mode: 0o700 });
    expect(readAccessFacts('/nonexistent/dir/visits').owner).toBeUndefined();
  });
});
