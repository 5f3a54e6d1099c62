import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readBuildInfo } from './read-build-info.js';

describe('readBuildInfo', () => {
  let dir: string;
  const appDir = () => pathToFileURL(`${dir}/`);
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'build-info-'));
    await writeFile(join(dir, 'package.json'), JSON.stringify({ version: '1.2.3' }));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes the package version, and no revision outside a git checkout', () => {
    expect(readBuildInfo({}, appDir())).toEqual({ version: '1.2.3', revision: 'unknown' });
  });

  it("takes the checkout's HEAD as the revision", () => {
    git('init', '-q');
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'x');
    const head = git('rev-parse', 'HEAD').trim();
    expect(readBuildInfo({}, appDir())).toEqual({ version: '1.2.3', revision: head });
  });

  it("prefers the image build's VERSION and REVISION, but not an empty or `unknown` one", () => {
    const env = { VISITS_BUILD_VERSION: '2.0.0-rc.1', VISITS_BUILD_REVISION: 'a'.repeat(40) };
    expect(readBuildInfo(env, appDir())).toEqual({
      version: '2.0.0-rc.1',
      revision: 'a'.repeat(40),
    });
    expect(
      readBuildInfo({ VISITS_BUILD_VERSION: ' ', VISITS_BUILD_REVISION: 'unknown' }, appDir()),
    ).toEqual({ version: '1.2.3', revision: 'unknown' });
  });
});
