/** A table preview (TableData) as an HTML <table>. Host side, pure string building. */
import { escapeHtml } from '../escape.js';
import type { TableColumn, TableData } from '../types.js';
import { formatCount, formatValue } from './format.js';

const NUMERIC_TYPE =
  /^(number|u?(tiny|small|big|huge)?int(eger)?\d*|int\d|float\d?|double( precision)?|real|decimal|numeric|money)\b/i;

/** Numeric columns are right-aligned so that digits line up. */
export function isNumericColumn(column: TableColumn): boolean {
  return NUMERIC_TYPE.test(column.type.trim());
}

function headerCell(column: TableColumn): string {
  const cls = isNumericColumn(column) ? ' class="q-num"' : '';
  return (
    `<th scope="col"${cls}><span class="q-col-name">${escapeHtml(column.name)}</span>` +
    `<span class="q-col-type">${escapeHtml(column.type)}</span></th>`
  );
}

function bodyCell(value: unknown, numeric: boolean): string {
  if (value === null || value === undefined) return '<td class="q-null">null</td>';
  const cls = numeric || typeof value === 'number' ? ' class="q-num"' : '';
  return `<td${cls}>${escapeHtml(formatValue(value))}</td>`;
}

/** `showing 200 of 1,234 rows` when cut, `3 rows` when whole. */
function caption(table: TableData): string {
  const total = Math.max(table.rowCount, table.rows.length);
  const noun = total === 1 ? 'row' : 'rows';
  if (table.rows.length < total)
    return `showing ${formatCount(table.rows.length)} of ${formatCount(total)} ${noun}`;
  return `${formatCount(total)} ${noun}`;
}

export function renderTable(table: TableData): string {
  const numeric = table.columns.map(isNumericColumn);
  const head = `<thead><tr>${table.columns.map(headerCell).join('')}</tr></thead>`;
  const rows = table.rows.map(
    (row) => `<tr>${row.map((v, i) => bodyCell(v, numeric[i] ?? false)).join('')}</tr>`,
  );
  return (
    `<div class="q-table-wrap"><table class="q-table"><caption>${caption(table)}</caption>` +
    `${head}<tbody>${rows.join('')}</tbody></table></div>`
  );
}
