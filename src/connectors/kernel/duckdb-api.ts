/**
 * The values this module uses from @duckdb/node-api, loaded with `require`. The package is
 * CommonJS: an ES `import` of it makes Node scan every file for its exports (cjs-module-lexer),
 * ~200 ms in a kernel against ~100 ms for `require` — the largest part of a first SQL cell.
 * Types still come from the package itself (`import type`, erased at build).
 */
import { createRequire } from 'node:module';
import type * as Api from '@duckdb/node-api';

const api = createRequire(import.meta.url)('@duckdb/node-api') as typeof Api;

export const {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  DuckDBDataChunk,
  DuckDBInstance,
  DuckDBTypeId,
  HUGEINT,
  JSDuckDBValueConverter,
  StatementType,
  TIMESTAMP,
  VARCHAR,
  blobValue,
  createDuckDBValueConverter,
  listValue,
  timestampValue,
} = api;

export type DuckDBDataChunk = Api.DuckDBDataChunk;
export type DuckDBInstance = Api.DuckDBInstance;
export type DuckDBTypeId = Api.DuckDBTypeId;
