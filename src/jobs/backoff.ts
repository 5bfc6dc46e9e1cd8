/**
 * Retry delays: exponential from `initialMs`, capped at `maxMs`, with "full jitter" in the upper
 * half (delay/2 … delay), so retries of many runs that failed together (a database restart) spread
 * out instead of failing together again, yet never come sooner than half the nominal delay.
 */
export function retryDelay(
  attempt: number,
  backoff: { initialMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const nominal = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(nominal / 2 + random() * (nominal / 2));
}
