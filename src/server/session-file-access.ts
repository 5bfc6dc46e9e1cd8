/**
 * What an editor session's kernel may read, kept current: the kernel starts with its user's file
 * access (auth/file-access.ts, from the server's access rules), and the session asks `outdated()`
 * whenever the rules reload (once a second). A grant given or revoked, a role changed, or a path
 * the grants name made or removed on disk (a hidden folder that did not exist when the kernel
 * started was not covered) makes the kernel's view out of date: the session then stops that
 * kernel, and the next run starts one with the new view.
 *
 * Must not: start or stop kernels itself (the session does, between commands).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { KernelFileAccess } from '../kernel/types.js';

/** Whether a path exists; a registry's check of many sessions shares one memo per round. */
export type Exists = (absolute: string) => boolean;

const roundKeys = new WeakMap<Exists, WeakMap<KernelFileAccess, string>>();

function keysOf(exists: Exists): WeakMap<KernelFileAccess, string> {
  let keys = roundKeys.get(exists);
  if (!keys) roundKeys.set(exists, (keys = new WeakMap()));
  return keys;
}

/** An `Exists` that stats each path once. */
export function existsOnce(): Exists {
  const seen = new Map<string, boolean>();
  return (absolute) => {
    let found = seen.get(absolute);
    if (found === undefined) seen.set(absolute, (found = existsSync(absolute)));
    return found;
  };
}

export class SessionFileAccess {
  /** what the current kernel started with, as a comparable key; undefined: no kernel started since */
  private started: string | undefined;

  constructor(
    private readonly root: string,
    /** the user's access now; undefined: all of the workspace */
    private readonly now: () => KernelFileAccess | undefined,
  ) {}

  /** For a kernel starting now: the access it gets, remembered as the kernel's. */
  forStart(): KernelFileAccess | undefined {
    const access = this.now();
    this.started = this.keyOf(access, existsOnce());
    return access;
  }

  /** True when a kernel started earlier sees what its user may no longer read, or misses what they may. */
  outdated(exists: Exists = existsOnce()): boolean {
    return this.started !== undefined && this.keyOf(this.now(), exists) !== this.started;
  }

  /** The kernel is gone: nothing to compare until the next starts. */
  forget(): void {
    this.started = undefined;
  }

  /** The access and which of its paths exist now (what the kernel's mounts were made from). */
  private keyOf(access: KernelFileAccess | undefined, exists: Exists): string {
    if (!access || (access.ungranted.length === 0 && access.shown.length === 0)) return '[]';
    // The sessions of one user get one answer object per reload, checked in one round: one key.
    const keys = keysOf(exists);
    let key = keys.get(access);
    if (key === undefined) {
      const present = (paths: readonly string[]) => paths.map((path) => exists(resolve(this.root, path)));
      key = JSON.stringify([
        access.ungranted,
        access.shown,
        present(access.ungranted),
        present(access.shown),
      ]);
      keys.set(access, key);
    }
    return key;
  }
}
