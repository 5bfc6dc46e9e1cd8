/**
 * How a bigint is written into JSON, everywhere a value becomes JSON (outputs, table previews,
 * chart data, run records, log lines): a number when it is a safe integer (within ±(2^53-1)),
 * else its decimal string. The same rule as a SQL BIGINT's JS value (docs/sql.md), so a value
 * reads alike whether it came from SQL or from JS, previews stay numbers that charts and sorting
 * treat as numbers, and a value JSON cannot hold exactly is never rounded silently.
 */
export function bigintToJson(value: bigint): number | string {
  const asNumber = Number(value);
  return Number.isSafeInteger(asNumber) ? asNumber : value.toString();
}
