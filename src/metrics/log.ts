/**
 * Structured logs (docs/operations.md#logs): one JSON object per line,
 * `{"time":"<ISO 8601>","level":"info","msg":"…",…fields}`, for log shippers that parse JSON
 * lines. `child({runId})` carries fields on every line of one run, notebook or worker.
 *
 * A log line must never take the process down or leak a secret: values that JSON cannot encode are
 * written as strings, and every string but the line's own `time` and `level` (the message, field
 * values, nested ones) passes through the caller's `redact` (e.g. a SecretRedactor's) before the
 * line is written. No dependency: pino is more than four levels and a child need.
 */
import { bigintToJson } from '../protocol/json.js';

export const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LEVELS)[number];

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** a logger that adds `fields` to every line (later fields win over earlier ones) */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  /** where lines go (default process.stderr: stdout may carry a command's result, e.g. `--json`) */
  stream?: { write(line: string): unknown };
  /** lines below this level are dropped (default `info`) */
  level?: LogLevel;
  /** fields on every line, e.g. `{worker: 'w1'}` */
  base?: LogFields;
  /** applied to every string written; return the text with secrets replaced */
  redact?: (text: string) => string;
  /** the clock (tests) */
  now?: () => Date;
}

/** The fields the line itself owns: a caller's field of the same name is written as `fields.<name>`. */
const RESERVED = new Set(['time', 'level', 'msg']);
/** The line's own fields that are never redacted (`msg` is the caller's text). */
const OWN = new Set(['time', 'level']);

export function createLogger(options: LoggerOptions = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const threshold = LEVELS.indexOf(options.level ?? 'info');
  const redact = options.redact ?? ((text: string) => text);
  const now = options.now ?? (() => new Date());

  const make = (base: LogFields): Logger => {
    const write = (level: LogLevel, msg: string, fields: LogFields = {}): void => {
      if (LEVELS.indexOf(level) < threshold) return;
      const line: LogFields = { time: now().toISOString(), level, msg };
      for (const [key, value] of Object.entries({ ...base, ...fields })) {
        line[RESERVED.has(key) ? `fields.${key}` : key] = value;
      }
      stream.write(encode(line, redact) + '\n');
    };
    return {
      debug: (msg, fields) => write('debug', msg, fields),
      info: (msg, fields) => write('info', msg, fields),
      warn: (msg, fields) => write('warn', msg, fields),
      error: (msg, fields) => write('error', msg, fields),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make({ ...options.base });
}

/** Whether `text` names a level (for `QUIRE_LOG_LEVEL`-style settings). */
export const isLogLevel = (text: string): text is LogLevel => (LEVELS as readonly string[]).includes(text);

/** One JSON line; strings redacted, errors as {name, message, stack}, cycles as text, bigints as src/protocol/json.ts writes them. */
function encode(line: LogFields, redact: (text: string) => string): string {
  // The objects on the path from the root to the value being encoded: a repeat is a cycle.
  const ancestors: unknown[] = [];
  try {
    return JSON.stringify(line, function (this: unknown, key, value: unknown) {
      // The line's own time and level are ours: a secret `e` must not turn `error` into `[REDACTED]rror`.
      if (typeof value === 'string') return this === line && OWN.has(key) ? value : redact(value);
      if (typeof value === 'bigint') return bigintToJson(value);
      if (typeof value === 'function' || typeof value === 'symbol') return String(value);
      if (typeof value !== 'object' || value === null) return value;
      while (ancestors.length > 0 && ancestors.at(-1) !== this) ancestors.pop();
      if (ancestors.includes(value)) return '[Circular]';
      const out =
        value instanceof Error
          ? { name: value.name, message: value.message, ...(value.stack ? { stack: value.stack } : {}) }
          : value;
      ancestors.push(out);
      return out;
    });
  } catch (error) {
    // A throwing getter or toJSON: the line still says what happened, without the fields.
    const { time, level, msg } = line;
    return JSON.stringify({ time, level, msg: redact(String(msg)), logError: redact(String(error)) });
  }
}
