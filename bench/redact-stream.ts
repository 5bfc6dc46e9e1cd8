/**
 * The redactor on a long output stream (governance issue, "Speed": ≥ 200 MB/s on a 100 MB stream
 * with 50 secrets registered). 100 MB of log-like stdout in 64 KB chunks (the kernel's coalescing
 * size) goes through what a run's output gate does to a stream: `redactAcrossChunks` (a form split
 * across chunks is cut) around the real SecretRedactor, with 50 secrets registered and one leaked
 * every ~1 MB, some split across a chunk boundary. Baseline in the same run: a plain copy of the
 * same chunks (UTF-8 encode and decode, what reading them off the channel costs).
 *
 * Only the gate is timed (registering the secrets included). The check that no secret came
 * through (joining 100 MB and searching it for each of the 50 values) runs once, after the timing:
 * it used to be inside it and cost more than the redaction itself (~1.2–1.7 s of ~1.5–2.4 s).
 *
 * `SECRETS=varied`: 50 secrets as they come (API keys, passwords with quotes and `<é>`, values read
 * with a trailing newline, five PEM keys), ~1,400 forms, instead of 50 API-key-like ones (~220).
 * CPU time (user + system), median of 5. Run: node --import tsx bench/redact-stream.ts [ASCII=1]
 * [SECRETS=varied]
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { MIME, type Output, type StreamData } from '../src/outputs/types.js';
import { REDACTED, SecretRedactor, secretForms } from '../src/secrets/redactor.js';
import { redactAcrossChunks } from '../src/secrets/stream-tail.js';

const TOTAL_MB = 100;
const CHUNK = 64 * 1024;
const RUNS = 5;
const pem = (): string =>
  generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();

/** A secret as it comes: an API key, a password with characters that escape, a value read from a file. */
function variedSecret(i: number): string {
  const key = randomBytes(18).toString('base64url');
  if (i < 5) return pem();
  if (i % 3 === 0) return `p@ss "${key.slice(0, 12)}"/<é> ${i}\n`;
  if (i % 3 === 1) return `${key}\n`;
  return `sk_${i}_${key}`;
}

const SECRETS = Array.from({ length: 50 }, (_, i) =>
  process.env.SECRETS === 'varied' ? variedSecret(i) : `sk_${i}_${randomBytes(18).toString('base64url')}`,
);
const FORMS = new Set(SECRETS.flatMap(secretForms)).size;

/** `ASCII=1`: log lines of one-byte characters only (V8 keeps such strings one byte per char). */
const LINES = process.env.ASCII
  ? [
      '2026-11-26T10:00:00.000Z INFO fetched 1000 rows from https://api.example.com/v2/orders?page=3\n',
      '{"region":"EU","total":1234.5}\n',
    ]
  : [
      '2026-11-26T10:00:00.000Z INFO fetched 1000 rows from https://api.example.com/v2/orders?page=3\n',
      '{"region":"EU","total":1234.5,"customer":"ACME GmbH","tags":["a","b"],"ok":true}\n',
      'dGhpcyBpcyBqdXN0IHNvbWUgYmFzZTY0IHRleHQgdGhhdCBpcyBub3QgYSBzZWNyZXQgYXQgYWxs\n',
      'The quick brown fox jumps over the lazy dog; naïve café — ünïcödé text.\n',
    ];

/** The stream's chunks: log lines, a secret leaked every ~1 MB (every third one across a boundary). */
function chunks(): string[] {
  let text = '';
  let leaks = 0;
  for (let line = 0; text.length < TOTAL_MB * 1024 * 1024; line++) {
    text += LINES[line % LINES.length];
    if (text.length > (leaks + 1) * 1024 * 1024) {
      const secret = SECRETS[leaks % SECRETS.length]!;
      // Every third leak straddles a chunk boundary: the chunk ends mid-value.
      if (leaks % 3 === 0) text += ' '.repeat((2 * CHUNK - (text.length % CHUNK) - 10) % CHUNK);
      text += `token=${secret}\n`;
      leaks++;
    }
  }
  const out: string[] = [];
  for (let i = 0; i < text.length; i += CHUNK) out.push(text.slice(i, i + CHUNK));
  return out;
}

const stream = (text: string): Output => ({ mime: MIME.stream, data: { name: 'stdout', text } });

function cpuMs(fn: () => void): number {
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const input = chunks();
const bytes = input.reduce((sum, c) => sum + Buffer.byteLength(c), 0);
const mbps = (ms: number): string => `${(bytes / 1024 / 1024 / (ms / 1000)).toFixed(0)} MB/s`;

let copied = 0;
const copy = median(
  Array.from({ length: RUNS }, () =>
    cpuMs(() => {
      for (const chunk of input) copied += Buffer.from(chunk, 'utf8').toString('utf8').length;
    }),
  ),
);

let kept: string[] = [];
const redact = median(
  Array.from({ length: RUNS }, () =>
    cpuMs(() => {
      const redactor = new SecretRedactor();
      for (const secret of SECRETS) redactor.register(secret);
      const gate = redactAcrossChunks(redactor, (o) => {
        const data = o.data as StreamData;
        return { ...o, data: { ...data, text: redactor.redact(data.text) } };
      });
      kept = [];
      for (const chunk of input) kept.push((gate(stream(chunk)).data as StreamData).text);
    }),
  ),
);

// The last run's output, checked outside the timing.
const all = kept.join('');
const redactedCount = all.split(REDACTED).length - 1;
const leakedBack = SECRETS.filter((s) => all.includes(s.trim())).length;

console.log(
  `redaction of a ${(bytes / 1024 / 1024).toFixed(0)} MB stdout stream in ${input.length} chunks of 64 KB, 50 secrets, ${FORMS} forms (CPU, median of ${RUNS})`,
);
console.log(`  plain copy (baseline)      ${copy.toFixed(0).padStart(6)} ms   ${mbps(copy)}`);
console.log(
  `  redactAcrossChunks+redact  ${redact.toFixed(0).padStart(6)} ms   ${mbps(redact)}   (target >= 200 MB/s)`,
);
console.log(`  ratio to the copy          ${(redact / copy).toFixed(2)}x`);
console.log(
  `  leaks replaced: ${redactedCount}; secrets still in the output: ${leakedBack} (must be 0); copied ${copied} chars`,
);
if (leakedBack > 0) process.exitCode = 1;
