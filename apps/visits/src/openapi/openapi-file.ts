import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createApp } from '../app.factory.js';
import { loadConfig } from '../config/app-config.js';
import { buildOpenApiDocument } from './openapi-document.js';

/** The command that regenerates docs/openapi.json. */
export const OPENAPI_COMMAND = 'npm run openapi -w @stateful-visits/visits';

/** Where the description is committed, relative to the repository root. */
export const OPENAPI_FILE = 'docs/openapi.json';

/** The description as committed: two-space JSON and a final newline. */
export function renderOpenApiDocument(document: object): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * The description of the app as it is built for production, from a throwaway instance on a
 * throwaway data directory (the app opens its store as it is built).
 */
export async function describeApp(): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'visits-openapi-'));
  try {
    const app = await createApp(loadConfig({ DATA_DIR: dataDir }), pino({ level: 'silent' }));
    try {
      return renderOpenApiDocument(buildOpenApiDocument(app));
    } finally {
      await app.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Whether the committed description under `repoRoot` is `rendered`. */
export async function isCommitted(repoRoot: string, rendered: string): Promise<boolean> {
  const committed = await readFile(join(repoRoot, OPENAPI_FILE), 'utf8').catch(() => undefined);
  return committed === rendered;
}

export async function writeCommitted(repoRoot: string, rendered: string): Promise<void> {
  await writeFile(join(repoRoot, OPENAPI_FILE), rendered);
}
