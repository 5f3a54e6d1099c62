import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { DockerFixture } from './docker-fixture.js';
import type { IntegrationEnvironment } from './environment.js';

export type Available = Extract<IntegrationEnvironment, { available: true }>;

/**
 * describe() for a Docker-backed suite, with a DockerFixture made before its tests and disposed of
 * after them (`fixture()` reaches it while the tests run). Without an engine the suite is reported
 * as skipped, with the reason in its title, never silently passed.
 */
export function describeWithDocker(
  title: string,
  timeoutMs: number,
  body: (environment: Available, fixture: () => DockerFixture) => void,
): void {
  const environment = inject('integration');
  if (!environment.available) {
    describe.skip(`${title} [skipped: ${environment.reason}]`, () => {
      it('needs a Docker engine', () => {});
    });
    return;
  }
  describe(title, { timeout: timeoutMs }, () => {
    let fixture: DockerFixture | undefined;
    beforeAll(async () => {
      fixture = await DockerFixture.create(environment.runId, environment.image);
    });
    afterAll(async () => {
      await fixture?.dispose();
    });
    body(environment, () => {
      if (fixture === undefined)
        throw new Error('the Docker fixture exists only while the tests run');
      return fixture;
    });
  });
}
