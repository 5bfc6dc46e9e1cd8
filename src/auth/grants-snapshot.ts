/**
 * A server's copy of the access rules (grants, user groups, locks). `authorize` is synchronous and
 * runs on every request, while the rules live in the store, which several servers and the CLI
 * share: each server keeps a snapshot in memory and reloads it every `ttlMs` (default 1 s), and at
 * once when a change goes through it (`refresh`). So a change made elsewhere (the CLI, another
 * server) applies within `ttlMs` plus one reload's query time.
 *
 * Fails closed: when the store cannot be read for `maxStaleMs` (default 10 s), the snapshot says
 * it is stale and every decision on it is a refusal, rather than one made on rules that may have
 * been revoked since. A failed reload is reported to `logError` once per outage.
 */
import type { Db } from '../store/db.js';
import type { AccessRules } from './grants.js';
import { loadAccessRules } from './grants-store.js';

export interface SnapshotOptions {
  ttlMs?: number;
  maxStaleMs?: number;
  now?: () => number;
  logError?: (error: unknown) => void;
  /** called after each load (the server forgets the real paths it looked up: they may have changed too) */
  onLoad?: () => void;
}

export const DEFAULT_RULES_TTL_MS = 1_000;

export class AccessRulesSnapshot {
  readonly ttlMs: number;
  private readonly maxStaleMs: number;
  private readonly now: () => number;
  private readonly logError: (error: unknown) => void;
  private readonly onLoad: () => void;
  private rules: AccessRules | undefined;
  private loadedAt = 0;
  private loading: Promise<void> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private failing = false;

  constructor(
    private readonly db: Db,
    options: SnapshotOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? DEFAULT_RULES_TTL_MS;
    this.maxStaleMs = options.maxStaleMs ?? Math.max(10_000, this.ttlMs * 10);
    this.now = options.now ?? Date.now;
    this.logError = options.logError ?? (() => undefined);
    this.onLoad = options.onLoad ?? (() => undefined);
  }

  /** Loads the rules (an error here stops the server's start) and reloads them every `ttlMs`. */
  async start(): Promise<void> {
    await this.load();
    this.timer = setInterval(() => this.tick(), this.ttlMs);
    // The reload keeps no process alive by itself.
    this.timer.unref();
  }

  /**
   * Reloads now (after a change made through this server). It starts after a reload under way, so
   * what it reads is never older than the call.
   */
  refresh(): Promise<void> {
    const next: Promise<void> = (this.loading ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.load())
      .then(
        () => {
          this.failing = false;
        },
        (error: unknown) => {
          if (!this.failing) this.logError(error);
          this.failing = true;
          throw error;
        },
      );
    this.loading = next;
    void next
      .catch(() => undefined)
      .finally(() => {
        if (this.loading === next) this.loading = undefined;
      });
    return next;
  }

  /** The timer's reload: skipped while one is under way (a slow store does not pile them up). */
  private tick(): void {
    if (!this.loading) void this.refresh().catch(() => undefined);
  }

  /** The rules to decide on: the last loaded, or stale ones (refuse everything) past `maxStaleMs`. */
  current(): AccessRules {
    const rules = this.rules;
    if (!rules) throw new Error('the access rules are not loaded yet: call start() first');
    return this.now() - this.loadedAt > this.maxStaleMs ? { ...rules, stale: true } : rules;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async load(): Promise<void> {
    const rules = await loadAccessRules(this.db);
    this.rules = rules;
    this.loadedAt = this.now();
    this.onLoad();
  }
}
