/**
 * Redaction throughput: 10 MB of cell output (log lines, JSON, base64, URLs) redacted with 5
 * secrets registered, by the real SecretRedactor; once with values leaked into it (plain, and in
 * Basic auth headers) and once without. Baseline in the same run: a plain `indexOf`/`includes`
 * scan of the whole text for each value (every occurrence of the value itself, no other form: the
 * least any redactor must do). Two sets of secrets: five single-line API keys, and four of them
 * with a 2048-bit PEM key (whose lines are forms of their own). For reference, a RegExp alternation
 * of the same forms, longest first (what the redactor used before its one-pass matcher). Times
 * are CPU (user + system), medians of 11. Run: node --import tsx bench/redact.ts
 */
import { generateKeyPairSync } from 'node:crypto';
import { secretForms } from '../src/secrets/forms.js';
import { REDACTED, SecretRedactor } from '../src/secrets/redactor.js';

const MB = 10;
const RUNS = 11;

const KEYS = [
  'sk-live-4f9a8b7c6d5e4f3a2b1c0d9e',
  'ghp_AbCdEf0123456789XyZaBcDeF012345',
  'p@ss "word"/<é> with spaces',
  'xoxb-111122223333-444455556666-abcdefghij',
  'AKIAIOSFODNN7EXAMPLE/wJalrXUtnFEMI',
];
const PEM = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString()
  .trim();

/** Output as notebooks print it, with each secret leaked (plain or in Basic auth) every ~200 KB. */
function outputText(secrets: string[]): string {
  const lines = [
    '2026-11-26T10:00:00.000Z INFO fetched 1000 rows from https://api.example.com/v2/orders?page=3',
    '{"region":"EU","total":1234.5,"customer":"ACME GmbH","tags":["a","b"],"ok":true}',
    'dGhpcyBpcyBqdXN0IHNvbWUgYmFzZTY0IHRleHQgdGhhdCBpcyBub3QgYSBzZWNyZXQgYXQgYWxs',
    '  at processTicksAndRejections (node:internal/process/task_queues:95:5)',
    'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7 looks like a key, is not',
    'The quick brown fox jumps over the lazy dog; naïve café — ünïcödé text.',
  ];
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < MB * 1_000_000; i++) {
    const line = lines[i % lines.length]!;
    parts.push(line);
    size += line.length + 1;
    if (i % 2000 === 1999 && secrets.length > 0) {
      const secret = secrets[Math.floor(i / 2000) % secrets.length]!;
      const leaked = i % 4000 === 1999 ? secret : Buffer.from(`user:${secret}`).toString('base64');
      parts.push(`leak: ${leaked}`);
      size += leaked.length + 7;
    }
  }
  return parts.join('\n');
}

/**
 * Reads a character in the middle of the result. V8 builds a replaced string as a tree of pieces
 * and copies it into one buffer on first read (as JSON.stringify does when the output is stored):
 * without this, a RegExp's `replace` looks 4× cheaper than it is.
 */
const flat = (text: string): number => text.charCodeAt(text.length >> 1);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median CPU time (user + system) of `fn`: steadier than wall time on a shared machine. */
function time(fn: () => unknown): number {
  const timings: number[] = [];
  fn(); // warm-up
  for (let i = 0; i < RUNS; i++) {
    const start = process.cpuUsage();
    fn();
    const used = process.cpuUsage(start);
    timings.push((used.user + used.system) / 1000);
  }
  return median(timings);
}

/** Every occurrence of `value` (`includes` stops at the first; a redactor must find them all). */
function occurrences(text: string, value: string): number {
  let count = 0;
  for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + value.length)) count++;
  return count;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function measure(name: string, secrets: string[]): void {
  const text = outputText(secrets);
  const built = process.cpuUsage();
  const redactor = new SecretRedactor();
  for (const secret of secrets) redactor.register(secret);
  redactor.redact('warm');
  const buildUsage = process.cpuUsage(built);
  const buildMs = (buildUsage.user + buildUsage.system) / 1000;
  const forms = [...new Set(secrets.flatMap(secretForms))];
  const alternation = new RegExp(
    forms
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|'),
    'g',
  );
  const baseline = time(() => secrets.map((secret) => occurrences(text, secret)));
  const ours = time(() => flat(redactor.redact(text)));
  const regex = time(() => flat(text.replace(alternation, REDACTED)));
  // The common case: output that leaks nothing (no copy is made, the scan is the cost).
  const clean = outputText([]);
  const cleanBaseline = time(() => secrets.map((secret) => occurrences(clean, secret)));
  const cleanOurs = time(() => flat(redactor.redact(clean)));
  const cleanRegex = time(() => flat(clean.replace(alternation, REDACTED)));
  const redacted = redactor.redact(text);
  const replaced = redacted.split(REDACTED).length - 1;
  console.log(
    `\n${name}: ${(text.length / 1e6).toFixed(1)} M characters, ${forms.length} forms, ${replaced} replaced`,
  );
  console.log(`  indexOf scan per value (baseline)         ${baseline.toFixed(1)} ms  1.00×`);
  console.log(
    `  SecretRedactor.redact                     ${ours.toFixed(1)} ms  ${(ours / baseline).toFixed(2)}×`,
  );
  console.log(
    `  RegExp alternation of the same forms      ${regex.toFixed(1)} ms  ${(regex / baseline).toFixed(2)}×`,
  );
  console.log(`  the same text without the leaks:`);
  console.log(`    indexOf scan per value (baseline)       ${cleanBaseline.toFixed(1)} ms  1.00×`);
  console.log(
    `    SecretRedactor.redact                   ${cleanOurs.toFixed(1)} ms  ${(cleanOurs / cleanBaseline).toFixed(2)}×`,
  );
  console.log(
    `    RegExp alternation of the same forms    ${cleanRegex.toFixed(1)} ms  ${(cleanRegex / cleanBaseline).toFixed(2)}×`,
  );
  console.log(`  registering the 5 secrets, first redact   ${buildMs.toFixed(1)} ms`);
  if (redacted !== text.replace(alternation, REDACTED)) throw new Error('the two disagree');
}

measure('5 API keys', KEYS);
measure('4 API keys and a PEM key', [...KEYS.slice(0, 4), PEM]);
