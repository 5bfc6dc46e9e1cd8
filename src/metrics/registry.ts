/**
 * Quire's Prometheus metrics (DESIGN §1 "Interop", docs/operations.md#metrics). One `QuireMetrics`
 * per process (the server, each worker) owns its own prom-client Registry, never the global one,
 * so two instances in one process (tests, a server with an embedded pool) do not collide.
 *
 * Callers report events (`runFinished`, `cellFinished`, `kernelCrashed`, `scheduleFired`, `alert`)
 * and register gauge callbacks (`setGauges`) that are read at scrape time, so a gauge is never a
 * stale copy of state kept elsewhere. Nothing here does I/O; http.ts serves `text()`.
 *
 * Labels are closed vocabularies (a trigger, a status, a language): never a notebook path, a run
 * id or a user, which would make a new series per value and carry content into an unauthenticated
 * endpoint.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../kernel/paths.js';

/** The quire package's version, for `quire_build_info` (read here: metrics sit below the runner). */
const packageVersion = (): string =>
  String(
    (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown }).version,
  );

/** Notebook runs: 0.1 s … 1 h. */
export const RUN_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
/** One cell: 1 ms … 10 min. */
export const CELL_BUCKETS = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600,
];
/** Fire time minus scheduled time: milliseconds when healthy, up to an hour when catching up. */
export const LAG_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 30, 60, 300, 900, 3600];

export const ALERT_KINDS = ['failure', 'recovered'] as const;
export const ALERT_OUTCOMES = ['sent', 'failed', 'deduplicated'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export type AlertOutcome = (typeof ALERT_OUTCOMES)[number];

/**
 * prom-client's default metrics include three gauges named `*_total`, which `promtool check
 * metrics` rejects ("non-counter metrics should not have _total suffix"); they are dropped.
 */
const LINT_FAILING_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** A gauge's value, read at every scrape; may be async (e.g. a queue count in PostgreSQL). */
export type GaugeSource = () => number | Promise<number>;

/** The gauges a process can register; each appears in `/metrics` only once registered. */
export interface GaugeSources {
  /** live editor sessions (open notebooks) */
  sessions?: GaugeSource;
  /** live kernel processes (editor sessions and runs) */
  kernels?: GaugeSource;
  /** runs waiting in the queue (registered by the jobs code) */
  queueDepth?: GaugeSource;
}

const GAUGES: Record<keyof GaugeSources, { name: string; help: string }> = {
  sessions: { name: 'quire_sessions', help: 'Live editor sessions (open notebooks).' },
  kernels: { name: 'quire_kernels', help: 'Live kernel processes.' },
  queueDepth: { name: 'quire_queue_depth', help: 'Runs waiting in the queue.' },
};

export interface QuireMetricsOptions {
  /** the `version` label of quire_build_info (default: this package's version) */
  version?: string;
  /** false leaves out prom-client's process_* and nodejs_* metrics (default true) */
  defaultMetrics?: boolean;
  /** a gauge callback threw: the gauge reads NaN for that scrape, and this hears why */
  onGaugeError?: (gauge: keyof GaugeSources, error: unknown) => void;
}

export class QuireMetrics {
  /** this instance's registry, for a caller that needs a metric not listed here */
  readonly registry = new Registry();
  private readonly runs: Counter<'trigger' | 'status'>;
  private readonly runDuration: Histogram<'trigger'>;
  private readonly cellDuration: Histogram<'language'>;
  private readonly crashes: Counter;
  private readonly scheduleLag: Histogram;
  private readonly alerts: Counter<'kind' | 'outcome'>;
  /** the current callback of each registered gauge; replaced by a later setGauges */
  private readonly sources: GaugeSources = {};

  constructor(private readonly options: QuireMetricsOptions = {}) {
    const registers = [this.registry];
    this.runs = new Counter({
      name: 'quire_runs_total',
      help: 'Finished notebook runs, by what started them and how they ended.',
      labelNames: ['trigger', 'status'],
      registers,
    });
    this.runDuration = new Histogram({
      name: 'quire_run_duration_seconds',
      help: 'Wall-clock duration of finished notebook runs.',
      labelNames: ['trigger'],
      buckets: RUN_BUCKETS,
      registers,
    });
    this.cellDuration = new Histogram({
      name: 'quire_cell_duration_seconds',
      help: 'Duration of executed cells, by cell language.',
      labelNames: ['language'],
      buckets: CELL_BUCKETS,
      registers,
    });
    this.crashes = new Counter({
      name: 'quire_kernel_crashes_total',
      help: 'Kernel processes that died while running a cell (not stopped on purpose).',
      registers,
    });
    this.scheduleLag = new Histogram({
      name: 'quire_schedule_lag_seconds',
      help: 'Delay between the time a schedule was due and the time its run was fired.',
      buckets: LAG_BUCKETS,
      registers,
    });
    this.alerts = new Counter({
      name: 'quire_alerts_total',
      help: 'Run alerts, by kind and by what became of them.',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    // Every series of a closed label set exists from the start, so rate() sees the first event.
    for (const kind of ALERT_KINDS)
      for (const outcome of ALERT_OUTCOMES) this.alerts.inc({ kind, outcome }, 0);
    const buildInfo = new Gauge({
      name: 'quire_build_info',
      help: 'Always 1; the labels say which Quire and Node.js this process runs.',
      labelNames: ['version', 'node'],
      registers,
    });
    buildInfo.set({ version: options.version ?? packageVersion(), node: process.version }, 1);
    if (options.defaultMetrics !== false) {
      collectDefaultMetrics({ register: this.registry });
      for (const name of LINT_FAILING_DEFAULTS) this.registry.removeSingleMetric(name);
    }
  }

  /** The Content-Type of `text()` (Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * A run ended. `trigger`: what started it (`manual`, `api`, `schedule`, `retry`, `rerun`,
   * `sweep`…); `status`: how it ended (`ok`, `error`, `timeout`, `cancelled`…).
   */
  runFinished(trigger: string, status: string, seconds: number): void {
    this.runs.inc({ trigger, status });
    this.runDuration.observe({ trigger }, nonNegative(seconds));
  }

  /** A cell finished executing (ok or error; skipped cells did not execute). */
  cellFinished(language: string, seconds: number): void {
    this.cellDuration.observe({ language }, nonNegative(seconds));
  }

  /** A kernel process died under a running cell; a timeout kill or an interrupt is not a crash. */
  kernelCrashed(): void {
    this.crashes.inc();
  }

  /** A scheduled run was fired `lagSeconds` after it was due (early fires count as 0). */
  scheduleFired(lagSeconds: number): void {
    this.scheduleLag.observe(nonNegative(lagSeconds));
  }

  /** An alert was sent, failed to send, or was suppressed as a repeat. */
  alert(kind: AlertKind, outcome: AlertOutcome): void {
    this.alerts.inc({ kind, outcome });
  }

  /**
   * Registers (or replaces) gauge callbacks; a gauge is absent from the output until its callback
   * is registered, so a process without a queue shows no queue depth rather than a false 0.
   */
  setGauges(sources: GaugeSources): void {
    for (const key of Object.keys(sources) as (keyof GaugeSources)[]) {
      const source = sources[key];
      if (!source) continue;
      const isNew = !this.sources[key];
      this.sources[key] = source;
      if (isNew) this.registerGauge(key);
    }
  }

  /** The current values in Prometheus text format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  private registerGauge(key: keyof GaugeSources): void {
    const read = () => this.sources[key]!();
    const onError = this.options.onGaugeError;
    new Gauge({
      ...GAUGES[key],
      registers: [this.registry],
      // A failing source (the database is down) must not fail the whole scrape: NaN says "unknown".
      async collect() {
        try {
          this.set(await read());
        } catch (error) {
          this.set(Number.NaN);
          onError?.(key, error);
        }
      },
    });
  }
}

function nonNegative(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}
