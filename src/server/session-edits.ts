/**
 * A client's edit command as the document's operation, and who hears what once the document took
 * it. Pure: the session (notebook-session.ts) dispatches the operation and sends the notifications.
 */
import type { EditOperation, NotebookDocument, RenamedUses } from '../engine/document/index.js';
import type { Applied } from '../engine/engine.js';
import { cellOf } from '../engine/state/index.js';
import type { CommandOf, ServerNotification, Snapshot } from '../protocol/index.js';
import { cellInfo } from './session-view.js';

/** The client commands that edit the document. */
export type EditCommand = CommandOf<'editCell' | 'insertCell' | 'deleteCell' | 'moveCell' | 'renameCell'>;

/** The document's operation for a client's edit command (the protocol says `cellId`). */
export function editOperation(command: EditCommand): EditOperation {
  switch (command.type) {
    case 'editCell':
      return { type: 'editCell', id: command.cellId, source: command.source };
    case 'insertCell':
      return {
        type: 'insertCell',
        index: command.index,
        language: command.language,
        source: command.source,
        ...(command.name !== undefined ? { name: command.name } : {}),
      };
    case 'deleteCell':
      return { type: 'deleteCell', id: command.cellId };
    case 'moveCell':
      return { type: 'moveCell', id: command.cellId, index: command.index };
    case 'renameCell':
      return { type: 'renameCell', id: command.cellId, name: command.name };
  }
}

/** What a rename did to the cells reading the old name, for its sender; undefined when nothing. */
export function renameNotice(uses: RenamedUses): string | undefined {
  const parts: string[] = [];
  const n = uses.rewritten.length;
  if (n > 0)
    parts.push(
      `${n} cell${n === 1 ? '' : 's'} now read${n === 1 ? 's' : ''} the new name (${uses.rewritten.join(', ')})`,
    );
  for (const { cellId, reason } of uses.unsafe)
    parts.push(`cell "${cellId}" still reads the old name: ${reason}`);
  const notice = parts.join('; ');
  return notice === '' ? undefined : notice.length > 4000 ? `${notice.slice(0, 3990)}…` : notice;
}

/**
 * The sender gets an ack saying whether the text now differs from disk (and what a rename did);
 * the others get the change (a source, or a snapshot when cells were added, removed, moved or
 * renamed); everyone gets the `cellInfo` of an edited, inserted or renamed cell, since its
 * declarations feed every client's completions. In order, per recipient.
 */
export function editNotifications(
  command: EditCommand,
  said: Applied,
  doc: NotebookDocument,
  now: { dirty: boolean; snapshot: () => Snapshot },
): { sender: ServerNotification[]; others: ServerNotification[] } {
  const { dirty } = now;
  const notice = said.renamed ? renameNotice(said.renamed) : undefined;
  const sender: ServerNotification[] = [
    { type: 'ack', requestId: command.requestId, dirty, ...(notice ? { notice } : {}) },
  ];
  const others: ServerNotification[] = [];
  const sourceOf = (id: string): string => cellOf(doc.state, id)?.source ?? '';
  if (command.type === 'editCell') {
    others.push({ type: 'cellSource', cellId: command.cellId, source: sourceOf(command.cellId), dirty });
  } else {
    const snapshot = now.snapshot();
    others.push(snapshot);
    // Not to the sender of a rename (cellInfo below tells it the name): a snapshot would overwrite
    // sources it typed meanwhile, whose edits are still on their way.
    if (command.type !== 'renameCell') sender.push(snapshot);
  }
  // An edit, insert or rename names its cell; deletes and moves change no names.
  const changed = said.cellId === undefined ? undefined : cellOf(doc.state, said.cellId);
  if (changed) {
    const info = cellInfo(changed, doc.state);
    sender.push(info);
    others.push(info);
  }
  // The cells a rename rewrote: the sender has no snapshot, so it gets their sources like an edit
  // from another tab (the others' snapshot has them already). Only what they read changed, not
  // what they declare: no cellInfo.
  for (const id of said.renamed?.rewritten ?? []) {
    sender.push({ type: 'cellSource', cellId: id, source: sourceOf(id), dirty });
  }
  return { sender, others };
}
