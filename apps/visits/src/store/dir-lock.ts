import { open, type FileHandle } from 'node:fs/promises';
import { tryLock } from 'fs-native-extensions';
import { DataDirInUseError, DataDirError } from './store.errors.js';
import { dataDirError, describeDataDirError } from './fs-errors.js';

export interface DirLock {
  release(): Promise<void>;
}

/**
 * Takes an exclusive lock on `path` (created if missing) without waiting.
 *
 * It is an open-file-description lock (fcntl F_OFD_SETLK): the kernel drops it when the file is
 * closed or the process dies, kill -9 included, so it never outlives its owner, and it holds across
 * containers that mount the same volume, because they share one kernel.
 * (Chosen over lock files with PIDs or mtimes: those go stale after a kill and cannot tell PID 1 in
 * one container from PID 1 in another.)
 */
export async function acquireDirLock(dir: string, path: string): Promise<DirLock> {
  let file: FileHandle;
  try {
    file = await open(path, 'a+');
  } catch (error) {
    throw dataDirError(error, path);
  }
  let granted: boolean;
  try {
    granted = tryLock(file.fd);
  } catch (error) {
    await file.close();
    throw new DataDirError(`could not lock ${path}: ${describeDataDirError(error, path)}`, {
      cause: error,
    });
  }
  if (!granted) {
    await file.close();
    throw new DataDirInUseError(
      `the data directory ${dir} is in use by another process (it holds the lock on ${path}). ` +
        'Each replica needs its own volume: stop the other process, or give this one another DATA_DIR.',
    );
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      await file.close();
    },
  };
}
