/**
 * The one notebook loader: read a notebook file (or take its text), parse it and check params
 * against its front matter. Every error is a RunInputError whose message names the file; format
 * warnings come back as `file:line:column: message` lines.
 */
import { readFile, realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { NotebookParseError, ParamError } from '../format/errors.js';
import { parseNotebook, resolveParams } from '../format/index.js';
import type { FormatWarning, Notebook, ParamValue } from '../format/types.js';
import { RunInputError } from './errors.js';

/** A notebook read and parsed: what a run, a sweep or a submit starts from. */
export interface LoadedNotebook {
  notebook: Notebook;
  warnings: FormatWarning[];
  /** the text as read (or as given) */
  source: string;
  /** the path as the user gave it: how messages name the file */
  displayPath: string;
  /** the file's real path (symlinks resolved), or the resolved path of a text given without its file */
  absolutePath: string;
}

/**
 * Reads and parses `path`. With `source`, that text is parsed as if it were the file (a rerun, a
 * queued run carrying its source): the file is not read and need not exist.
 */
export async function loadNotebook(path: string, source?: string): Promise<LoadedNotebook> {
  let text: string;
  let absolutePath: string;
  try {
    if (source !== undefined) {
      text = source;
      absolutePath = resolve(path);
    } else {
      absolutePath = await realpath(resolve(path));
      text = await readFile(absolutePath, 'utf8');
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(error);
    throw new RunInputError(`${path}: ${why}`);
  }
  try {
    const { notebook, warnings } = parseNotebook(text, { path });
    return { notebook, warnings, source: text, displayPath: path, absolutePath };
  } catch (error) {
    if (error instanceof NotebookParseError) throw new RunInputError(error.message);
    throw error;
  }
}

/** The format's warnings as lines that name the file: `file:line:column: message`. */
export const warningLines = (loaded: LoadedNotebook): string[] =>
  loaded.warnings.map((w) => `${loaded.displayPath}:${w.line}:${w.column}: ${w.message}`);

/**
 * The params of a run: given values (strings from a command line, JSON values from the API and
 * schedules) checked and converted against the front matter, defaults filled in.
 */
export function checkParams(
  loaded: LoadedNotebook,
  given: Record<string, unknown>,
  source: 'cli' | 'json',
): Record<string, ParamValue> {
  try {
    return resolveParams(loaded.notebook.frontMatter?.params ?? [], given, { source });
  } catch (error) {
    if (error instanceof ParamError) throw new RunInputError(`${loaded.displayPath}: ${error.message}`);
    throw error;
  }
}

/** A ParamError from a check done elsewhere (a sweep's grid) as bad input naming the file. */
export function paramInputError(loaded: LoadedNotebook, error: unknown): unknown {
  return error instanceof ParamError ? new RunInputError(`${loaded.displayPath}: ${error.message}`) : error;
}
