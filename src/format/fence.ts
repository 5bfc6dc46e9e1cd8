/**
 * CommonMark fenced code blocks, recognised line by line (spec §4.5): an opening fence is up to
 * three spaces, then three or more backticks or tildes, then an info string (a backtick fence's
 * info string may not contain a backtick). The closing fence uses the same character, is at least
 * as long, may be indented up to three spaces and carries nothing but trailing spaces or tabs.
 * Container blocks (block quotes, list items) are not modelled: only top-level lines count.
 */
import type { Line } from './lines.js';
import type { CodeLanguage } from './types.js';
import { languageOfFence } from '../protocol/languages.js';

export interface OpeningFence {
  /** number of spaces before the fence (0..3) */
  indent: number;
  char: '`' | '~';
  length: number;
  /** the info string with surrounding whitespace removed */
  info: string;
  /** 0-based column of `info` in the line (for attribute positions) */
  infoColumn: number;
}

const OPENING = /^( {0,3})(`{3,}|~{3,})(.*)$/;

export function matchOpeningFence(text: string): OpeningFence | undefined {
  const m = OPENING.exec(text);
  if (!m) return undefined;
  const indent = (m[1] ?? '').length;
  const fence = m[2] ?? '';
  const rest = m[3] ?? '';
  const char = fence[0] === '`' ? '`' : '~';
  if (char === '`' && rest.includes('`')) return undefined;
  const leading = rest.length - rest.trimStart().length;
  return {
    indent,
    char,
    length: fence.length,
    info: rest.trim(),
    infoColumn: indent + fence.length + leading,
  };
}

export function isClosingFence(text: string, open: Pick<OpeningFence, 'char' | 'length'>): boolean {
  let i = 0;
  while (i < 3 && text[i] === ' ') i++;
  let run = 0;
  while (text[i + run] === open.char) run++;
  if (run < open.length) return false;
  return /^[ \t]*$/.test(text.slice(i + run));
}

/** Index of the line closing the fence opened at `openIndex`, or -1 when it runs to the end. */
export function findClosingFence(lines: Line[], openIndex: number, open: OpeningFence): number {
  for (let j = openIndex + 1; j < lines.length; j++) {
    const line = lines[j];
    if (line && isClosingFence(line.text, open)) return j;
  }
  return -1;
}

/** The cell language of an info string whose first word names one, else undefined (prose). */
export function executableLanguage(info: string): { language: CodeLanguage; word: string } | undefined {
  const word = /^[^ \t]*/.exec(info)?.[0] ?? '';
  const language = languageOfFence(word);
  return language ? { language, word } : undefined;
}

/** Removes up to `indent` leading spaces, as CommonMark does for the content of an indented fence. */
export function stripIndent(text: string, indent: number): string {
  let i = 0;
  while (i < indent && text[i] === ' ') i++;
  return text.slice(i);
}
