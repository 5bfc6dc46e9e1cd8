/**
 * What the store commands (`runs`, `show`, `rerun`) share: which workspace and store they mean,
 * and how a notebook argument becomes the workspace-relative path runs are filed under.
 */
import { existsSync, realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, relative, resolve } from 'node:path';
import { isProcessAlive } from '../shared/process-alive.js';
import { findWorkspace } from '../runner/workspace.js';
import { openStore, StoreConfigError, storeLocation } from '../store/open.js';
import type { RunStore } from '../store/run-store.js';
import { InputError } from './errors.js';

/** A bad `--db` is bad input (exit 2), found before anything runs. */
export function checkDbFlag(db: string | undefined): void {
  try {
    storeLocation(db, process.cwd());
  } catch (error) {
    if (error instanceof StoreConfigError) throw new InputError(error.message);
    throw error;
  }
}

export const currentWorkspace = (): string => findWorkspace(process.cwd());

/**
 * Opens the store of the current workspace (or `--db`). Runs of processes on this machine that
 * died mid-run (a `quire run` killed by a signal) are marked as lost first, so no list shows a
 * run as `running` forever.
 */
export async function openCommandStore(
  db: string | undefined,
  workspace = currentWorkspace(),
): Promise<RunStore> {
  checkDbFlag(db);
  let store: RunStore;
  try {
    store = await openStore({ ...(db ? { url: db } : {}), workspace });
  } catch (error) {
    if (error instanceof StoreConfigError) throw new InputError(error.message);
    throw error;
  }
  await store.reapDeadLocal(hostname(), isProcessAlive);
  return store;
}

/** The path a notebook's runs are filed under: relative to its workspace. */
export function notebookKey(file: string): { workspace: string; path: string } {
  const absolute = existsSync(file) ? realpathSync(file) : resolve(file);
  const workspace = findWorkspace(existsSync(dirname(absolute)) ? dirname(absolute) : process.cwd());
  return { workspace, path: relative(workspace, absolute) };
}

/** A run by id or unique prefix; an unknown or ambiguous one is bad input. */
export async function findRun(store: RunStore, id: string) {
  let run;
  try {
    run = await store.find(id);
  } catch (error) {
    throw new InputError((error as Error).message);
  }
  if (!run) throw new InputError(`no run "${id}" in ${store.db.label}`);
  return run;
}
