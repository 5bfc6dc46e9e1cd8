/**
 * What isolation this host gives its kernels, in words, for `quire serve` and `quire worker` to
 * print at start (DESIGN §6: what is and is not isolated is said, not assumed), and the one check
 * that must pass before they take work: without an OS sandbox, a root host runs kernels as
 * `nobody`, who must be able to read the workspace — refused once at start with the fix, rather
 * than failing every cell.
 */
import { packageRoot } from '../paths.js';
import { assertReadableBy, resolveKernelUser } from '../user.js';
import { sandboxSupport } from './detect.js';

export interface IsolationReport {
  /** one line each: files, network, processes, memory and CPU */
  lines: string[];
  /** set when kernels could not run here: the reason and the fix */
  error?: string;
}

export function isolationReport(workspace: string, env: NodeJS.ProcessEnv = process.env): IsolationReport {
  const support = sandboxSupport(env);
  const sandboxed = support.kind === 'bwrap';
  const lines: string[] = [];
  if (sandboxed) {
    lines.push(
      "kernels: OS sandbox (bubblewrap): the workspace read-only with .quire/ and .git/ hidden (and what an account's grants leave out, for its kernels), a scratch folder, nothing else of the host",
      'network: none, each kernel in its own network namespace (quire.config.json network.allow opens named hosts through the host)',
    );
  } else {
    lines.push(
      `kernels: NO OS sandbox (${support.reason ?? 'unavailable'}): Node's permission model and DuckDB's own settings only; install bubblewrap for the full sandbox (docs/security.md)`,
      "grants: an account's kernels read only what its grants give it through Node's permission model, which follows a symlink placed in the workspace into an ungranted folder; the OS sandbox does not",
      'network: NOT isolated: a cell can open any connection the host can, its loopback services included',
    );
  }
  const limits = [support.prlimit ? 'memory capped (prlimit)' : 'memory: V8 heap cap only (no prlimit)'];
  limits.push(
    support.nice
      ? 'lower CPU priority (nice 19, and its scheduler group)'
      : 'same CPU priority as the server (no nice)',
  );
  lines.push(`limits: ${limits.join(', ')}`);
  let error: string | undefined;
  try {
    const user = resolveKernelUser(undefined, env, sandboxed);
    if (user) {
      assertReadableBy(workspace, user);
      assertReadableBy(packageRoot(), user);
      lines.push(`user: kernels run as ${user.name} (uid ${user.uid})`);
    }
  } catch (failure) {
    error = `${(failure as Error).message}; or install bubblewrap, which needs neither`;
  }
  return error === undefined ? { lines } : { lines, error };
}
