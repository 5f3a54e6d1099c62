import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, vi } from 'vitest';
import {
  JOURNAL_FILE,
  VIEW_FILE,
  VisitStore,
  nodeIo,
  type StoreIo,
  type StoreLogger,
  type VisitStoreOptions,
} from '../visit-store.js';

/** A journal capacity small enough that a few dozen visits need a new journal (a compaction). */
export const SMALL = 4096;

/**
 * A fresh temporary data directory for each test, and the stores a test opens in it, closed and
 * removed after the test. Call inside a describe block.
 */
export function useStoreDir() {
  let dir = '';
  const opened: VisitStore[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'visit-store-'));
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });
  return {
    dir: () => dir,
    journalPath: () => join(dir, JOURNAL_FILE),
    view: () => readFile(join(dir, VIEW_FILE), 'utf8'),
    openStore: async (options: Partial<VisitStoreOptions> = {}): Promise<VisitStore> => {
      const store = await VisitStore.open({ dir, ...options });
      opened.push(store);
      return store;
    },
    closeStore: async (store: VisitStore): Promise<void> => {
      await store.close();
      opened.splice(opened.indexOf(store), 1);
    },
  };
}

/**
 * Records visits one at a time until one is refused (at most `most`): how many were acknowledged
 * before, and why the refused one was (undefined when none was).
 */
export async function recordUntilRefused(
  store: VisitStore,
  most = 10_000,
): Promise<{ acknowledged: number; refusal: unknown }> {
  let acknowledged = 0;
  for (let i = 0; i < most; i++) {
    try {
      await store.record();
      acknowledged++;
    } catch (refusal) {
      return { acknowledged, refusal };
    }
  }
  return { acknowledged, refusal: undefined };
}

export function spyLogger() {
  return { info: vi.fn(), warn: vi.fn(), error: vi.fn() } satisfies StoreLogger;
}

/** Real I/O that fails with `code` on the chosen call once `failing` is set. */
export function faultyIo(
  on: 'write' | 'datasync',
  code: string,
  match: (data?: Buffer) => boolean = () => true,
) {
  const io = {
    failing: false,
    write: async (...args: Parameters<StoreIo['write']>): Promise<void> => {
      if (io.failing && on === 'write' && match(args[1]))
        throw Object.assign(new Error(code), { code });
      return nodeIo.write(...args);
    },
    datasync: async (...args: Parameters<StoreIo['datasync']>): Promise<void> => {
      if (io.failing && on === 'datasync') throw Object.assign(new Error(code), { code });
      return nodeIo.datasync(...args);
    },
  };
  return io;
}
