/**
 * A table preview (`application/vnd.quire.table+json`): paged and sortable. The browser never
 * holds a whole large result: a truncated preview with a `fetchPage` (a notebook page) asks the
 * server for each page and sort over the WebSocket (`tablePage`); otherwise (fixtures, a complete
 * preview) it pages and sorts the preview rows here.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { TableData } from '../../../protocol/index.js';

type Sort = { column: number; direction: 1 | -1 } | null;

const PAGE_SIZES = [10, 25, 100];

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1; // nulls last
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '∅';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export interface PageRequest {
  offset: number;
  limit: number;
  sort?: { column: string; descending: boolean };
}

export interface PageAnswer {
  rows: unknown[][];
  /** rows the pages reach (the whole result when the kernel pages it) */
  pageableRows: number;
  rowCount: number;
}

export type FetchPage = (request: PageRequest) => Promise<PageAnswer | null>;

export function TableOutput({ data, fetchPage }: { data: TableData; fetchPage?: FetchPage }) {
  const [sort, setSort] = useState<Sort>(null);
  const [page, setPage] = useState(0);
  const [pageSize, setPageSize] = useState(PAGE_SIZES[0] ?? 10);
  const remote = Boolean(fetchPage && data.truncated);
  const [answer, setAnswer] = useState<PageAnswer | null>(null);

  const rows = useMemo(() => {
    if (!sort || remote) return data.rows;
    return [...data.rows].sort((x, y) => sort.direction * compare(x[sort.column], y[sort.column]));
  }, [data.rows, sort, remote]);

  const pageable = remote ? (answer?.pageableRows ?? rows.length) : rows.length;
  const pages = Math.max(1, Math.ceil(pageable / pageSize));
  const current = Math.min(page, pages - 1);
  const shown = remote && answer ? answer.rows : rows.slice(current * pageSize, (current + 1) * pageSize);

  // A new output (the cell ran again): pages fetched for the old one are gone.
  useEffect(() => setAnswer(null), [data]);

  useEffect(() => {
    if (!remote || !fetchPage) return;
    // The first page unsorted is the preview's: no request for it.
    if (current === 0 && !sort && !answer) return;
    let live = true;
    const column = sort ? data.columns[sort.column]?.name : undefined;
    void fetchPage({
      offset: current * pageSize,
      limit: pageSize,
      ...(sort && column !== undefined ? { sort: { column, descending: sort.direction === -1 } } : {}),
    }).then((next) => {
      if (live && next) setAnswer(next);
    });
    return () => {
      live = false;
    };
  }, [remote, current, pageSize, sort]);

  const toggleSort = (column: number) => {
    setPage(0);
    setSort((s) =>
      s?.column !== column ? { column, direction: 1 } : s.direction === 1 ? { column, direction: -1 } : null,
    );
  };

  return (
    <div class="output-table">
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              {data.columns.map((column, index) => {
                const state =
                  sort?.column === index ? (sort.direction === 1 ? 'ascending' : 'descending') : 'none';
                return (
                  <th key={column.name} aria-sort={state} title={column.type}>
                    <button type="button" onClick={() => toggleSort(index)}>
                      {column.name}
                      <span class="sort-mark">
                        {state === 'ascending' ? ' ▲' : state === 'descending' ? ' ▼' : ''}
                      </span>
                    </button>
                    <small class="column-type">{column.type}</small>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {shown.map((row, r) => (
              <tr key={current * pageSize + r}>
                {data.columns.map((column, c) => (
                  <td key={column.name} class={typeof row[c] === 'number' ? 'num' : undefined}>
                    {formatCell(row[c])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="table-pager">
        <button
          type="button"
          disabled={current === 0}
          onClick={() => setPage(current - 1)}
          aria-label="Previous page"
        >
          ‹
        </button>
        <span class="page-info">
          page {current + 1} of {pages}
        </span>
        <button
          type="button"
          disabled={current >= pages - 1}
          onClick={() => setPage(current + 1)}
          aria-label="Next page"
        >
          ›
        </button>
        <label>
          rows per page{' '}
          <select
            value={pageSize}
            onChange={(e) => {
              setPageSize(Number((e.target as HTMLSelectElement).value));
              setPage(0);
            }}
          >
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <span class="row-count">
          {remote && answer && answer.pageableRows >= answer.rowCount
            ? `${answer.rowCount.toLocaleString()} rows`
            : data.truncated
              ? `preview of ${data.rows.length.toLocaleString()} of ${data.rowCount.toLocaleString()} rows`
              : `${data.rowCount.toLocaleString()} rows`}
        </span>
      </div>
    </div>
  );
}
