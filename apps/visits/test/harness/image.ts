import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { GenericContainer, ImageName } from 'testcontainers';
import type { ContainerRuntimeClient } from 'testcontainers';
import { REPO_ROOT } from './paths.ts';

const OFFICIAL_NODE_IMAGE = 'node:24-bookworm-slim';
const STAND_IN_NODE_IMAGE = 'stateful-visits/node:24-bookworm-slim';

/**
 * The base image for docker/Dockerfile: NODE_IMAGE if set; else the official image when `present`
 * says it is there; else the local stand-in (no image can be pulled on the development machine),
 * built if missing. `present` asks the engine the caller builds with.
 */
export async function chooseNodeImage(
  present: (image: string) => Promise<boolean>,
): Promise<string> {
  const requested = process.env['NODE_IMAGE'];
  if (requested) return requested;
  if (await present(OFFICIAL_NODE_IMAGE)) return OFFICIAL_NODE_IMAGE;
  if (!(await present(STAND_IN_NODE_IMAGE))) {
    console.info(`${OFFICIAL_NODE_IMAGE} is not present; building ${STAND_IN_NODE_IMAGE}`);
    const build = spawn('bash', [join(REPO_ROOT, 'docker/build-base-image.sh')], {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    });
    const [code] = (await once(build, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`docker/build-base-image.sh failed (exit code ${code})`);
  }
  return STAND_IN_NODE_IMAGE;
}

/** Whether an image is present in the engine a Testcontainers client talks to: for chooseNodeImage. */
export function presentIn(client: ContainerRuntimeClient): (image: string) => Promise<boolean> {
  return (image) => client.image.exists(ImageName.fromString(image));
}

/** Builds the service's image from docker/Dockerfile as `tag` (kept until the caller removes it). */
export async function buildServiceImage(
  tag: string,
  buildArgs: Readonly<Record<string, string>>,
): Promise<void> {
  try {
    await GenericContainer.fromDockerfile(REPO_ROOT, 'docker/Dockerfile')
      .withBuildArgs({ ...buildArgs })
      .build(tag, { deleteOnExit: false });
  } catch (error) {
    // Testcontainers does not surface the builder's output; say how to see it.
    throw new Error(
      `building ${tag} from docker/Dockerfile failed (${String(error)}). ` +
        `See the build output with: docker build -f docker/Dockerfile --build-arg NODE_IMAGE=${buildArgs['NODE_IMAGE']} . ` +
        '(from the repository root), or rerun with DEBUG=testcontainers:build',
      { cause: error },
    );
  }
}
