/**
 * The built-ins the runtime's trusted paths use (the channel, the cell contexts, secrets), taken
 * before any user code runs. Cells run in the runtime's own realm, so a cell can replace
 * `WeakMap.prototype.get` or `Buffer.prototype.subarray` to watch what the runtime passes through
 * them; calling the captured originals keeps execution ids, secrets and commands out of its view.
 * (Node's own internals do the same with their "primordials".) This guards the channel, not
 * everything: see docs/security.md for what code inside a kernel can still do.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { writeSync } from 'node:fs';
import v8 from 'node:v8';

const { apply } = Reflect;
const { freeze, create } = Object;

type Method<This, Args extends unknown[], Result> = (self: This, ...args: Args) => Result;

/** `fn` as a function taking its `this` as the first argument, immune to later prototype edits. */
function uncurry<This, Args extends unknown[], Result>(
  fn: (this: This, ...args: Args) => Result,
): Method<This, Args, Result> {
  return (self, ...args) => apply(fn, self, args) as Result;
}

export const weakMapGet = uncurry(WeakMap.prototype.get) as <K extends object, V>(
  map: WeakMap<K, V>,
  key: K,
) => V | undefined;
export const weakMapSet = uncurry(WeakMap.prototype.set) as <K extends object, V>(
  map: WeakMap<K, V>,
  key: K,
  value: V,
) => WeakMap<K, V>;
export const storageRun = uncurry(AsyncLocalStorage.prototype.run) as <S, R>(
  storage: AsyncLocalStorage<S>,
  store: S,
  fn: () => R,
) => R;
export const storageGet = uncurry(AsyncLocalStorage.prototype.getStore) as <S>(
  storage: AsyncLocalStorage<S>,
) => S | undefined;
export const fsWriteSync = writeSync;
export { freeze, create };

// v8.serialize and deserialize look their methods up on these prototypes at every call; nothing a
// notebook legitimately does needs to change them, so they are frozen rather than captured.
for (const type of [v8.Serializer, v8.Deserializer, v8.DefaultSerializer, v8.DefaultDeserializer])
  freeze(type.prototype);
export const { serialize, deserialize } = v8;

/** The runtime's own scheduling, taken before timers.ts wraps the globals to track cells' timers. */
export const runtimeSetImmediate = globalThis.setImmediate;
