/**
 * `quire worker [--db URL] [--concurrency N] [--max-running N] [--lease D] [--grace D]
 * [--metrics-port P]`: takes queued runs and executes them, each in its own kernel. With a
 * PostgreSQL store any number of workers on any machines share the queue; with the embedded store
 * a worker is a headless pool next to (or instead of) `quire serve`.
 *
 * SIGTERM / SIGINT: stop taking runs, give the running ones `--grace` to finish, then stop them
 * and hand them back to the queue, and exit 0.
 *
 * The store's audit log gets each run's `run.started` and `run.finished` and each secret a cell
 * was given (`secret.read`), `via: 'worker'`, through a background writer flushed before exit.
 */
import { hostname } from 'node:os';
import type { AuditEvent } from '../audit/schema.js';
import type { Logger } from '../metrics/log.js';
import type { Db } from '../store/db.js';
import { defineCommand, duration, parsed, text, wholeNumber, type Values } from './command.js';
import { InputError } from './errors.js';
import { currentWorkspace, openCommandStore } from './store-access.js';

const HELP = `usage: quire worker [--db URL] [--concurrency N] [--max-running N] [--lease DURATION] [--grace DURATION] [--metrics-port P] [--metrics-host H]

  --db URL             the run store: postgres://… for scale-out (default: QUIRE_DB, else .quire/quire.db)
  --concurrency N      runs this worker executes at once (default 2)
  --max-running N      runs at once across every worker sharing the store (default: no cap)
  --lease DURATION     how long a run stays ours without a heartbeat (default 30s)
  --grace DURATION     on SIGTERM, how long running runs may finish before they are handed back (default 30s)
  --metrics-port P     serve Prometheus metrics on this port (GET /metrics)
  --metrics-host H     the metrics address (default 127.0.0.1)`;

const atLeastOne = {
  min: 1,
  message: (flag: string, text: string) => `${flag}: expected a whole number ≥ 1, got "${text}"`,
};

const port = (text: string, flag: string): number => {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n > 65535)
    throw new InputError(`${flag}: expected a port number, got "${text}"`);
  return n;
};

const options = {
  db: text(),
  concurrency: wholeNumber(atLeastOne, 2),
  'max-running': wholeNumber(atLeastOne),
  lease: duration(30_000),
  grace: duration(30_000),
  'metrics-port': parsed(port),
  'metrics-host': text(),
};

export const workerCommand = defineCommand({
  name: 'worker',
  help: HELP,
  options,
  run: (values) => work(values),
});

async function work(values: Values<typeof options>): Promise<number> {
  const { concurrency, lease: leaseMs, grace: graceMs } = values;
  const globalCap = values['max-running'];
  const metricsPort = values['metrics-port'];
  const workspace = currentWorkspace();
  // Once, before taking work: a host that cannot run kernels here says why and how to fix it.
  const { isolationReport } = await import('../kernel/sandbox/report.js');
  const isolation = isolationReport(workspace);
  if (isolation.error) throw new InputError(isolation.error);
  const store = await openCommandStore(values.db, workspace);
  const [{ startJobs }, { workerName }, { createLogger }, { QuireMetrics }] = await Promise.all([
    import('../jobs/start.js'),
    import('../store/run-store.js'),
    import('../metrics/log.js'),
    import('../metrics/registry.js'),
  ]);
  const worker = workerName('worker', hostname());
  const logger = createLogger({ stream: process.stderr, base: { worker } });
  for (const line of isolation.lines) logger.info(`isolation: ${line}`);
  const metrics = new QuireMetrics();
  const { runObservers } = await import('../jobs/observe.js');
  let observers;
  try {
    observers = await runObservers({ store, workspace, metrics, log: logger });
  } catch (error) {
    await store.close();
    throw new InputError((error as Error).message);
  }
  const dbUrl = values.db ?? process.env.QUIRE_DB;
  const audit = await workerAudit(store, workspace, logger);
  const jobs = await startJobs({
    store,
    ...(dbUrl ? { dbUrl } : {}),
    workspace,
    worker,
    concurrency,
    ...(globalCap !== undefined ? { globalCap } : {}),
    leaseMs,
    log: (level, message, fields) => logger[level](message, fields),
    secrets: audit.secrets,
    onStarted: (run, attempt) => audit.emit(audit.runStarted(run, attempt, worker)),
    onFinal: (run, record) => {
      observers.onFinal(run, record);
      audit.emit(audit.runFinished(run, new Date(), 'worker'));
    },
  });
  metrics.setGauges({
    queueDepth: () => jobs.queue.depth(),
    kernels: () => jobs.service.executor.inFlight.size,
  });
  let metricsServer: { port: number; close(): Promise<void> } | undefined;
  if (metricsPort !== undefined) {
    const { startMetricsServer } = await import('../metrics/http.js');
    const token = process.env.QUIRE_METRICS_TOKEN;
    metricsServer = await startMetricsServer({
      port: metricsPort,
      host: values['metrics-host'] ?? '127.0.0.1',
      metrics,
      ...(token ? { token } : {}),
    });
  }
  logger.info('worker started', {
    store: store.db.label,
    queue: jobs.queue.kind,
    concurrency,
    ...(metricsServer ? { metricsPort: metricsServer.port } : {}),
  });
  // The store's timers are unref'd (they must not keep a `quire serve` alive on their own): an
  // idle worker on the embedded store would otherwise exit at once.
  const keepAlive = setInterval(() => undefined, 2 ** 30);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info('stopping: no new runs; running ones get the grace period', { signal, graceMs });
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  clearInterval(keepAlive);
  await jobs.stop(graceMs);
  await observers.drain();
  await metricsServer?.close();
  await audit.flush();
  await store.close();
  logger.info('worker stopped', {});
  return 0;
}

/** The worker's audit trail: a writer on the store's log, and the secret source that feeds it. */
async function workerAudit(store: { db: Db }, workspace: string, logger: Logger) {
  const [{ AuditLog }, { AuditWriter }, reads, { envSecretRedactor }, { hostSecretSource }, events] =
    await Promise.all([
      import('../audit/log.js'),
      import('../audit/writer.js'),
      import('../audit/secret-reads.js'),
      import('../audit/secret-values.js'),
      import('../secrets/store-source.js'),
      import('../server/events.js'),
    ]);
  const redactor = envSecretRedactor();
  const writer = new AuditWriter(new AuditLog(store.db, { redactor }), logger);
  const emit = (event: AuditEvent): void => writer.emit(event);
  return {
    emit,
    flush: () => writer.flush(),
    runStarted: events.runStarted,
    runFinished: events.runFinished,
    secrets: reads.auditSecretReads(
      hostSecretSource(store.db, workspace).source,
      (read) => emit(reads.secretReadEvent(read, 'worker')),
      redactor,
    ),
  };
}
