/**
 * The audit log's writer for the server: `emit` is on a request's path, so it only queues the
 * event and returns; the queue is written in the background, in order, many events to one
 * transaction when they come faster than one append. A write that fails is logged with the
 * server's logger (how many events, their names) and the writer goes on: an audit failure never
 * fails a request, and the server's JSON log still has each event's own `audit` line. `flush` resolves once everything emitted before it is written
 * (or has failed and been logged); the server awaits it before closing the store.
 *
 * It has the shape of the server's `EventSink` (server/events.ts), which the server wires it as.
 */
import type { Logger } from '../metrics/log.js';
import type { AuditLog } from './log.js';
import { checkEvent, type AuditEvent } from './schema.js';

/** Most events written in one transaction. */
const BATCH = 500;

export interface AuditWriterOptions {
  /**
   * Events queued at most (default 100,000): while the database is away and requests go on, the
   * queue must not take the server's memory; past it an event is logged as dropped.
   */
  maxPending?: number;
}

export class AuditWriter {
  private queue: AuditEvent[] = [];
  private draining: Promise<void> | undefined;

  private readonly maxPending: number;

  constructor(
    private readonly log: AuditLog,
    private readonly logger: Logger,
    options: AuditWriterOptions = {},
  ) {
    this.maxPending = options.maxPending ?? 100_000;
  }

  /**
   * Queues `event`; never throws, never waits. An event that does not fit the schema, or whose
   * detail does not fit its event's (details.ts), is logged, not written.
   */
  emit(event: AuditEvent): void {
    let checked: AuditEvent;
    try {
      checked = checkEvent(event);
    } catch (error) {
      this.logger.error('audit event refused', { event: event?.event, err: (error as Error).message });
      return;
    }
    if (this.queue.length >= this.maxPending) {
      this.logger.error('audit event dropped: the queue is full', {
        event: event.event,
        pending: this.queue.length,
      });
      return;
    }
    this.queue.push(checked);
    // Started after the current task: events emitted together go in one transaction.
    this.draining ??= Promise.resolve().then(() => this.drain());
  }

  /** Resolves when every event emitted so far is written (or its failure logged). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Events queued and not yet written. */
  get pending(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, BATCH);
        try {
          await this.log.append(batch);
        } catch (error) {
          this.logger.error('audit write failed', {
            err: error,
            lost: batch.length,
            events: batch.map((e) => e.event),
          });
        }
      }
    } finally {
      this.draining = undefined;
    }
  }
}
