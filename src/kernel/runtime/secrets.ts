/**
 * The `secrets` global inside the kernel. The host fetches the secrets a cell names (statically,
 * analysis/secrets.ts) and sends their values with the cell's execute command; `secrets.get`
 * returns them synchronously while that cell runs. A name the cell did not declare, or a call after
 * the cell finished (a timer, a function kept for later), throws.
 */

let given: Readonly<Record<string, string>> | undefined;

/** Makes `values` the secrets of the cell about to run (undefined: none). */
export function beginSecrets(values: Record<string, string> | undefined): void {
  given = values ?? {};
}

/** The cell finished: its secrets can no longer be read through `secrets.get`. */
export function endSecrets(): void {
  given = undefined;
}

export const secrets = Object.freeze({
  get(name: string): string {
    const value = given !== undefined && Object.hasOwn(given, name) ? given[name] : undefined;
    if (value === undefined) throw new Error(`secret "${String(name)}" was not declared by this cell`);
    return value;
  },
});
