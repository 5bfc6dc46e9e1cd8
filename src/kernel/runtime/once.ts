/**
 * Imported first by main.ts: the runtime refuses to start a second time in one process. A cell
 * cannot import the bundle (imports.ts), but a copy of its text evaluated some other way would
 * otherwise install a second set of handlers; the mark is a non-configurable global, so user code
 * cannot remove it.
 */
const MARK = Symbol.for('quire.kernel.runtime');

if (Object.hasOwn(globalThis, MARK)) throw new Error('the quire kernel runtime is already running');
Object.defineProperty(globalThis, MARK, { value: true, writable: false, configurable: false });
