// The image is built from docker/Dockerfile and docker/healthcheck.mjs, which cannot import this
// package: these checks hold them to the contract instead.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { environment } from './environment.js';
import { HEALTH_PATHS } from './http.js';
import { IMAGE_DATA_DIR, IMAGE_GID, IMAGE_UID } from './image.js';

const docker = (file: string) =>
  readFileSync(fileURLToPath(new URL(`../../../docker/${file}`, import.meta.url)), 'utf8');
const port = environment.PORT.default;
const opsPort = environment.OPS_PORT.default;
const appVersion = (
  JSON.parse(
    readFileSync(
      fileURLToPath(new URL('../../../apps/visits/package.json', import.meta.url)),
      'utf8',
    ),
  ) as { version: string }
).version;

describe('docker/Dockerfile', () => {
  const dockerfile = docker('Dockerfile');

  it('creates and runs as the contract uid and gid, owning the data directory', () => {
    expect(dockerfile).toContain(`groupadd --system --gid ${IMAGE_GID} `);
    expect(dockerfile).toContain(`useradd --system --uid ${IMAGE_UID} --gid ${IMAGE_GID} `);
    expect(dockerfile).toContain(`chown ${IMAGE_UID}:${IMAGE_GID} ${IMAGE_DATA_DIR} `);
    expect(dockerfile).toMatch(new RegExp(`^USER ${IMAGE_UID}:${IMAGE_GID}$`, 'm'));
  });

  it('keeps the store in the contract data directory and listens on the default ports', () => {
    expect(dockerfile).toContain(`DATA_DIR=${IMAGE_DATA_DIR} `);
    expect(dockerfile).toMatch(new RegExp(`^VOLUME \\["${IMAGE_DATA_DIR}"\\]$`, 'm'));
    expect(dockerfile).toMatch(new RegExp(`^ +PORT=${port} `, 'm'));
    expect(dockerfile).toMatch(new RegExp(`^ +OPS_PORT=${opsPort} `, 'm'));
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${port} ${opsPort}$`, 'm'));
  });

  it("labels and builds the image with the service's version unless VERSION is given", () => {
    const defaults = [...dockerfile.matchAll(/^ARG VERSION=(.*)$/gm)].map((m) => m[1]);
    expect(defaults).toEqual([appVersion, appVersion]);
    expect(dockerfile).toContain('VISITS_BUILD_VERSION="${VERSION}"');
    expect(dockerfile).toContain('VISITS_BUILD_REVISION="${REVISION}"');
  });
});

describe('docker/healthcheck.mjs', () => {
  it('asks the liveness route on the default ops port', () => {
    const healthcheck = docker('healthcheck.mjs');
    expect(healthcheck).toContain(`process.env.OPS_PORT ?? '${opsPort}'`);
    expect(healthcheck).toContain(`${HEALTH_PATHS.live}\``);
  });
});
