/**
 * `mkdir -p`, one level at a time. Node 20's recursive mkdir (sync and async) never returns for
 * some paths — under /proc it retries an error forever — and a sync loop cannot even be stopped
 * by SIGTERM. Creating each missing level ourselves fails with the first level's error instead.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

function missingLevels(dir: string): string[] {
  const missing: string[] = [];
  for (let current = dir; !existsSync(current); current = dirname(current)) {
    missing.unshift(current);
    if (dirname(current) === current) break;
  }
  return missing;
}

export function makeDirsSync(dir: string): void {
  for (const level of missingLevels(dir)) {
    try {
      mkdirSync(level);
    } catch (error) {
      // another process made it meanwhile
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

export async function makeDirs(dir: string): Promise<void> {
  for (const level of missingLevels(dir)) {
    try {
      await mkdir(level);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
