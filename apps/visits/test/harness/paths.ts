import { fileURLToPath } from 'node:url';

/** apps/visits, whatever the working directory. */
export const APP_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** The repository's root (docker/, k8s/, docs/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
