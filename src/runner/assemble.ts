/**
 * The one run assembly: what an engine session needs to run a notebook's cells, put together the
 * same way for a headless run (run.ts) and an editor session (server/session-kernel.ts) — kernels
 * from the caller's factory, secrets from the caller's source registered with the run's redactor
 * before a cell gets them, every output through the output gate (sanitize, redact, cap), and each
 * cell's time limit from the notebook.
 *
 * Must not: construct a secret source or name a kernel implementation; both come from the edge.
 */
import type { EngineOptions } from '../engine/engine.js';
import type { Cell } from '../format/types.js';
import type { Kernel, KernelFactory, KernelSpec } from '../kernel/types.js';
import { prepareOutput } from '../outputs/prepare.js';
import type { Redactor } from '../outputs/redact.js';
import type { Output } from '../outputs/types.js';
import { SecretRedactor } from '../secrets/redactor.js';
import type { SecretScope } from '../secrets/grants.js';
import { scopeSecrets, type SecretReader, type SecretSource } from '../secrets/source.js';
import { redactAcrossChunks } from '../secrets/stream-tail.js';
import { asTimerLimit } from './limits.js';

export interface RunAssemblyInput {
  kernels: KernelFactory;
  /** the kernel every `createKernel` asks the factory for */
  kernel: KernelSpec;
  secrets: SecretSource;
  /** the run's notebook and user, which a stored secret's grants are checked against (grants.ts) */
  scope: SecretScope;
  /** the front matter's `timeout`: a cell without its own `timeout=` gets it */
  frontTimeoutMs?: number | undefined;
  /** a redactor of the caller's, applied after the run's own */
  redactor?: Redactor | undefined;
  /** the run or session a cell's secret read belongs to (the source hears it with the cell) */
  reader?: () => Omit<SecretReader, 'cellId' | 'execution'>;
}

export interface RunAssembly {
  /** the engine session's options: kernels, time limits, output gate, secrets */
  options: EngineOptions & Required<Pick<EngineOptions, 'createKernel' | 'cellTimeoutMs'>>;
  /** the values of the secrets the cells read, registered as they are read */
  redactor: SecretRedactor;
  /** the run's secrets (scoped to it, counted in `used`): the cells' and its connections' (`urlSecret`) */
  source: SecretSource;
  /** the run's redactor and then the caller's: what records, progress lines and reports pass */
  redactAll: Redactor;
  /** the names of the secrets found in the source so far (for the run record) */
  used: ReadonlySet<string>;
  /** the kernel made last (alive or not), if any */
  readonly current: Kernel | undefined;
}

/** A cell's time limit: its own `timeout=`, else the front matter's; past a timer's range, none. */
export const cellTimeout =
  (frontTimeoutMs: number | undefined) =>
  (cell: Cell): number | undefined =>
    asTimerLimit(cell.kind === 'code' ? (cell.attributes.timeoutMs ?? frontTimeoutMs) : frontTimeoutMs);

export function assembleRun(input: RunAssemblyInput): RunAssembly {
  const redactor = new SecretRedactor();
  const used = new Set<string>();
  const secrets = scopeSecrets(input.secrets, input.scope);
  const source: SecretSource = {
    get: (name, reader) => {
      const value = secrets.get(name, reader && { ...input.reader?.(), ...reader });
      if (value !== undefined) used.add(name);
      return value;
    },
    describe: (name) => secrets.describe(name),
    prepare: async (names) => secrets.prepare?.(names),
  };
  const extra = input.redactor;
  const redactAll: Redactor = {
    redact: (text) => (extra ? extra.redact(redactor.redact(text)) : redactor.redact(text)),
  };
  let current: Kernel | undefined;
  const options: RunAssembly['options'] = {
    createKernel: () => (current = input.kernels(input.kernel)),
    cellTimeoutMs: cellTimeout(input.frontTimeoutMs),
    // A secret split across stream chunks is redacted too (stream-tail.ts).
    prepareOutput: redactAcrossChunks(redactor, (output: Output) =>
      prepareOutput(output, { redactor: redactAll }),
    ),
    secrets: { source, redactor },
  };
  return {
    options,
    redactor,
    source,
    redactAll,
    used,
    get current() {
      return current;
    },
  };
}
