/**
 * Who a notebook's schedule runs as: the user who last saved the notebook through the server with
 * that `schedule:` front matter (the editor's save, `PUT /api/notebooks/…`). A save that adds or
 * changes the schedule makes the saver its owner; a save that leaves it as it was keeps the owner
 * (editing a cell does not take a colleague's schedule over); a save that removes it forgets the
 * owner. The store keeps the sha256 of the schedule that was saved: a schedule changed on disk
 * afterwards (a git pull, another editor) is not the one its owner saved, and has no owner until
 * someone saves it through the server (auth/run-as.ts decides what an ownerless schedule may do).
 */
import { createHash } from 'node:crypto';
import { parseNotebook } from '../format/index.js';
import type { RunStore } from '../store/run-store.js';

/** sha256 of the canonical JSON of the notebook's `schedule:`; undefined without one (or unparseable). */
export function scheduleSha256(source: string): string | undefined {
  let raw: unknown;
  try {
    raw = parseNotebook(source).notebook.frontMatter?.schedule;
  } catch {
    return undefined;
  }
  if (raw === undefined) return undefined;
  return createHash('sha256').update(sortedJson(raw)).digest('hex');
}

/** JSON with object keys sorted: one text per schedule, however its YAML was ordered. */
function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/** After `userId` saved `text` as `path` through the server: records them when the schedule is new or changed. */
export async function recordScheduleSave(
  store: Pick<RunStore, 'scheduleOwner' | 'setScheduleOwner'>,
  path: string,
  text: string,
  userId: string,
  now = Date.now(),
): Promise<void> {
  const sha256 = scheduleSha256(text);
  const current = await store.scheduleOwner(path);
  if (sha256 === undefined) {
    if (current) await store.setScheduleOwner(path, undefined, now);
    return;
  }
  if (current?.scheduleSha256 === sha256) return;
  await store.setScheduleOwner(path, { ownerId: userId, scheduleSha256: sha256 }, now);
}

/** The owner of the schedule in `source` (the notebook at `path` as it is now), if it has one. */
export async function scheduleOwnerOf(
  store: Pick<RunStore, 'scheduleOwner'>,
  path: string,
  source: string,
): Promise<string | undefined> {
  const owner = await store.scheduleOwner(path);
  if (!owner) return undefined;
  return owner.scheduleSha256 === scheduleSha256(source) ? owner.ownerId : undefined;
}
