import { readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataDirError } from './store.errors.js';

/** Who this process is, and who owns the path a permission error was about. */
export interface AccessFacts {
  readonly uid: number;
  readonly gid: number;
  /**
   * The kernel's supplementary groups (Kubernetes adds securityContext.fsGroup there). Not
   * `process.getgroups()`, which always adds the process's own gid.
   */
  readonly supplementaryGroups: readonly number[];
  /** Owner and mode of the path (or of its directory when the path does not exist). */
  readonly owner: { readonly uid: number; readonly gid: number; readonly mode: number } | undefined;
}

/** The `Groups:` line of /proc/<pid>/status: the supplementary group ids. */
export function parseSupplementaryGroups(procStatus: string): number[] {
  const line = procStatus.split('\n').find((l) => l.startsWith('Groups:'));
  return (line?.slice('Groups:'.length).trim().split(/\s+/) ?? [])
    .filter((g) => g !== '')
    .map(Number);
}

/** Reads the facts for `path` from this process and the file system; unknown parts stay empty. */
export function readAccessFacts(path: string): AccessFacts {
  let supplementaryGroups: number[] = [];
  try {
    supplementaryGroups = parseSupplementaryGroups(readFileSync('/proc/self/status', 'utf8'));
  } catch {
    // Not Linux: no advice that depends on the groups.
  }
  let owner: AccessFacts['owner'];
  for (const candidate of [path, dirname(path)]) {
    try {
      const s = statSync(candidate);
      owner = { uid: s.uid, gid: s.gid, mode: s.mode & 0o7777 };
      break;
    } catch {
      // Try the directory, then give up on naming the owner.
    }
  }
  return {
    uid: process.getuid?.() ?? -1,
    gid: process.getgid?.() ?? -1,
    supplementaryGroups,
    owner,
  };
}

/**
 * The process holds a supplementary group (as fsGroup gives it), yet the path belongs to another
 * user and to none of its groups: the volume did not apply fsGroup. Kubernetes chowns a volume to
 * fsGroup before the container starts where the volume type supports it; hostPath and some
 * local and NFS volumes do not.
 */
function fsGroupIgnored(a: AccessFacts): boolean {
  if (!a.owner || a.supplementaryGroups.length === 0) return false;
  const groups = new Set([a.gid, ...a.supplementaryGroups]);
  return a.owner.uid !== a.uid && !groups.has(a.owner.gid);
}

function permissionDenied(path: string, a: AccessFacts): string {
  const who = `uid ${a.uid} gid ${a.gid}`;
  if (fsGroupIgnored(a) && a.owner) {
    const groups = a.supplementaryGroups.join(',');
    return (
      `permission denied on ${path} (running as ${who}, supplementary groups ${groups}): it belongs to ` +
      `uid ${a.owner.uid} gid ${a.owner.gid} (mode ${a.owner.mode.toString(8).padStart(4, '0')}), not to any ` +
      `of this process's groups, so the volume ignored securityContext.fsGroup (hostPath volumes and some ` +
      `local or NFS volumes do). Use a volume type that applies fsGroup (a CSI or local PersistentVolume, ` +
      `emptyDir), or prepare the directory on the node (chown ${a.uid}:${a.gid}, or chgrp ` +
      `${a.supplementaryGroups[0]} and chmod g+rwx), or chown it in an init container; see docs/deployment.md`
    );
  }
  return (
    `permission denied on ${path} (running as ${who}): give this user write access to the data ` +
    `directory, DATA_DIR (for example chown -R ${a.uid}:${a.gid} on it, or securityContext.fsGroup in Kubernetes)`
  );
}

/**
 * Turns a file-system error into a sentence that says what happened and what to do about it.
 * `access` is read from the process and the file system when a permission error needs it.
 */
export function describeFsError(
  error: unknown,
  path: string,
  access: () => AccessFacts = () => readAccessFacts(path),
): string {
  const e = error as NodeJS.ErrnoException;
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      return permissionDenied(path, access());
    case 'EROFS':
      return `${path} is on a read-only file system: mount a writable volume as the data directory (DATA_DIR)`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `no space left on the device holding ${path}: free some space or grow the volume`;
    case 'ENOTDIR':
      return `a part of ${path} is not a directory: point DATA_DIR at a directory`;
    case 'EIO':
      return `an I/O error on ${path}: the disk or volume is failing; check the node's kernel log`;
    case 'ENOENT':
      return `${path} does not exist`;
    default:
      return `${e.code ?? 'error'} on ${path}: ${e.message ?? String(error)}`;
  }
}

/** describeFsError for a failure that makes the data directory unusable: it always names DATA_DIR. */
export function describeDataDirError(error: unknown, path: string): string {
  const problem = describeFsError(error, path);
  return problem.includes('DATA_DIR')
    ? problem
    : `${problem} (check DATA_DIR and the volume behind it)`;
}

/** A failure on `path` that makes the data directory unusable, as the store throws it. */
export function dataDirError(error: unknown, path: string): DataDirError {
  return new DataDirError(describeDataDirError(error, path), { cause: error });
}
