/**
 * Locks an embedded DuckDB down before any user SQL runs (DESIGN §6, NODE-COMPAT "Permission
 * model"). DuckDB is native code, so Node's fs allow-list does not bind it: DuckDB must refuse by
 * itself to touch files outside the workspace (minus its hidden paths, see allow-list.ts) and the
 * scratch folder, to load extensions from disk or the network, to use more memory than its share,
 * and to let user SQL undo any of this. The order matters: the allow-lists must be set while
 * external access is still on, and `lock_configuration` comes last.
 * Relative paths in user SQL resolve against the process cwd (the kernel runs in the workspace).
 * The allow-lists cover writes too; where cells may write is duckdb-guard.ts's job.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import os from 'node:os';
import path from 'node:path';
import { withSlash, type AllowList } from './allow-list.js';
import { quoteLiteral } from './sql-quote.js';

export interface LockdownOptions {
  workspace: string;
  scratch: string;
  /** what DuckDB may open; default: the whole workspace and scratch */
  allow?: AllowList;
  /** DuckDB's memory_limit in MiB; absent = DuckDB's default (80% of RAM) */
  memoryMb?: number;
  /** CPU cores to size the thread count against (default: the machine's) */
  cores?: number;
}

/** MiB of memory_limit per DuckDB thread (DuckDB's own advice is 1-4 GiB for heavy joins; cells are lighter). */
const MIB_PER_THREAD = 256;
/** Spill files in scratch may grow to this many times memory_limit (not DuckDB's default: 90% of free disk). */
const SPILL_FACTOR = 4;

export interface MemorySettings {
  memoryMb: number;
  /** max_temp_directory_size in MiB */
  spillMb: number;
  threads: number;
}

/** memory_limit, the spill cap and the thread count for a DuckDB share of `memoryMb`. */
export function memorySettings(memoryMb: number, cores: number = os.availableParallelism()): MemorySettings {
  const mb = Math.max(1, Math.floor(memoryMb));
  const threads = Math.max(1, Math.min(cores, Math.floor(mb / MIB_PER_THREAD)));
  return { memoryMb: mb, spillMb: mb * SPILL_FACTOR, threads };
}

/** The statements, in the order they must run (exported so the order itself is tested). */
export function lockdownStatements(options: LockdownOptions): string[] {
  const scratch = path.resolve(options.scratch);
  const allow = options.allow ?? {
    directories: [withSlash(path.resolve(options.workspace)), withSlash(scratch)],
    files: [],
  };
  const list = (items: string[]) => `[${items.map(quoteLiteral).join(', ')}]`;
  const memory = options.memoryMb === undefined ? undefined : memorySettings(options.memoryMb, options.cores);
  return [
    `SET temp_directory=${quoteLiteral(path.join(scratch, 'duckdb-tmp'))}`,
    // Extensions would be fetched from the network or ~/.duckdb; the built-in ones (parquet, json) need neither.
    'SET autoinstall_known_extensions=false',
    // A persistent secret is a file in ~/.duckdb; cells keep theirs in memory.
    'SET allow_persistent_secrets=false',
    ...(memory
      ? [
          `SET memory_limit='${memory.memoryMb}MiB'`,
          `SET max_temp_directory_size='${memory.spillMb}MiB'`,
          `SET threads=${memory.threads}`,
        ]
      : []),
    `SET allowed_directories=${list(allow.directories)}`,
    `SET allowed_paths=${list(allow.files)}`,
    'SET enable_external_access=false',
    'SET lock_configuration=true',
  ];
}

export async function lockDown(conn: DuckDBConnection, options: LockdownOptions): Promise<void> {
  for (const statement of lockdownStatements(options)) await conn.run(statement);
}
