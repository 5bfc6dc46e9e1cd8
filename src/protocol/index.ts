/**
 * The editor protocol (issue 3): the one schema source shared by the server (src/server/ws.ts)
 * and the browser (src/ui). Commands go in, notifications come out, JSON over one WebSocket
 * (`/ws`). No Node imports: the browser bundles this folder.
 */
export * from './commands.js';
export * from './notifications.js';
export * from './outputs.js';
export * from './languages.js';
export * from './names.js';
export * from './states.js';
export * from './json.js';
export * from './html-policy.js';

/** The largest message either side sends or accepts, bytes. */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
