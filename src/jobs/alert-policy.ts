/**
 * The alert policy (pure): what a run that became final means for its notebook's alert state —
 * send a `failure`, deduplicate it, send a `recovered`, or nothing. The rules are in alerts.ts's
 * header; the state is kept by alert-state.ts (SQL) and delivered by alert-webhook.ts (HTTP).
 */
import type { RunState } from '../store/types.js';

export type AlertKind = 'failure' | 'recovered';
export type AlertOutcome = 'sent' | 'failed' | 'deduplicated';

/** One notebook's row of `alert_state`. */
export interface AlertState {
  /** a failure alert went out and no success has come since */
  failing: boolean;
  /** of the last failure alert sent */
  fingerprint?: string;
  /** when the first failure of the current failing stretch finished */
  failingSince?: number;
  lastSentAt?: number;
  /** the run the last alert was about */
  lastRunId?: string;
  lastOutcome?: 'pending' | 'sent' | 'failed';
  /** failures deduplicated since the last alert */
  suppressed: number;
}

export interface FinalEvent {
  status: RunState;
  /** of a failed run */
  fingerprint?: string;
  runId: string;
  finishedAt: number;
}

export type Decision =
  | { action: 'none' }
  | { action: 'deduplicate'; state: AlertState }
  | { action: 'send'; kind: 'failure'; state: AlertState; repeats: number }
  | { action: 'send'; kind: 'recovered'; state: AlertState; failingSince: number };

/** What a final run means for a notebook's alert state (pure: the transaction carries it out). */
export function decide(
  state: AlertState | undefined,
  event: FinalEvent,
  now: number,
  windowMs: number,
): Decision {
  if ((event.status === 'error' || event.status === 'timeout') && event.fingerprint !== undefined) {
    const same = state?.failing === true && state.fingerprint === event.fingerprint;
    if (same && state.lastSentAt !== undefined && now - state.lastSentAt < windowMs) {
      return { action: 'deduplicate', state: { ...state, suppressed: state.suppressed + 1 } };
    }
    return {
      action: 'send',
      kind: 'failure',
      repeats: same ? state.suppressed : 0,
      state: {
        failing: true,
        fingerprint: event.fingerprint,
        failingSince: state?.failing ? (state.failingSince ?? event.finishedAt) : event.finishedAt,
        lastSentAt: now,
        lastRunId: event.runId,
        lastOutcome: 'pending',
        suppressed: 0,
      },
    };
  }
  // A success that finished before the failure (runs of one notebook overlap) is no recovery.
  if (event.status === 'ok' && state?.failing && event.finishedAt >= (state.failingSince ?? 0)) {
    return {
      action: 'send',
      kind: 'recovered',
      failingSince: state.failingSince ?? event.finishedAt,
      state: {
        failing: false,
        fingerprint: state.fingerprint,
        lastSentAt: now,
        lastRunId: event.runId,
        lastOutcome: 'pending',
        suppressed: 0,
      },
    };
  }
  return { action: 'none' };
}
