/**
 * The `secrets` global inside the kernel. The host fetches the secrets a cell names (statically,
 * analysis/secrets.ts) and sends their values with the cell's execute command; `secrets.get`
 * answers synchronously, and only to that cell's own code while it runs (its async context,
 * context.ts): not to another cell's timer that happens to fire meanwhile, not to the cell's own
 * leftovers after it finished, and not for a name the cell did not declare.
 */
import { contextCell, runningCell } from './context.js';

const { hasOwn, freeze } = Object;

export const secrets = freeze({
  get(name: string): string {
    const cell = contextCell();
    if (cell === undefined || cell.finished || cell !== runningCell())
      throw new Error(
        `secret "${String(name)}" can be read only by the cell that declares it, while it runs`,
      );
    const value = hasOwn(cell.secrets, name) ? cell.secrets[name] : undefined;
    if (value === undefined) throw new Error(`secret "${String(name)}" was not declared by this cell`);
    return value;
  },
});
