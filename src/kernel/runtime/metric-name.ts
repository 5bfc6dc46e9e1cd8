/**
 * What a metric name may be, shared by the kernel (which throws in the cell) and the host's
 * protocol schema (which trusts nothing the kernel sends). No imports: the kernel loads it at startup.
 */

/**
 * Short, and safe as a table column, a JSON key or a label in any tool. `__proto__` is refused: as
 * a key of a plain object it would set the prototype instead of a value, and the metric would vanish.
 */
export const METRIC_NAME = /^(?!__proto__$)[A-Za-z0-9_.:-]{1,100}$/;
