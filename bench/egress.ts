/**
 * What egress costs a kernel, against baselines measured in the same run:
 *   node --import tsx bench/egress.ts        (needs `npx tsc -p tsconfig.build.json`: it loads dist/)
 * - start: a fresh `node` that imports dist/kernel/runtime/egress.js and calls installEgress,
 *   against one that does neither (what a kernel with an egress setting pays at start);
 * - first fetch: the first fetch through the proxy (loads undici, opens the tunnel) against the
 *   first direct fetch in a fresh process (loads Node's own undici);
 * - warm: sequential keep-alive fetches of a 1 KiB answer from a server on 127.0.0.1, through the
 *   proxy against direct, in one process.
 * Everything stays on this machine (127.0.0.1 and a Unix socket).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEgressProxy } from '../src/kernel/egress/proxy.js';
import { packageRoot } from '../src/kernel/paths.js';

const RUNS = 11;
const REQUESTS = 500;
const EGRESS = join(packageRoot(), 'dist/kernel/runtime/egress.js');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

const dir = mkdtempSync(join(tmpdir(), 'quire-bench-egress-'));
const server = http.createServer((_req, res) => res.end('x'.repeat(1024)));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as net.AddressInfo).port;
const socketPath = join(dir, 'egress.sock');
const proxy = await startEgressProxy({ allow: [`127.0.0.1:${port}`], socketPath });
const url = `http://127.0.0.1:${port}/`;

/** A child script that prints one JSON object of timings (ms). */
function script(name: string, body: string): string {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, `const t0 = performance.now();\n${body}\nprocess.stdout.write(JSON.stringify(out));\n`);
  return file;
}

const start = script(
  'start',
  `const { installEgress } = await import(${JSON.stringify(EGRESS)});
installEgress(${JSON.stringify(socketPath)});
const out = { install: performance.now() - t0 };`,
);
const noStart = script('no-start', `const out = { install: performance.now() - t0 };`);
const firstFetch = (egress: boolean): string =>
  script(
    egress ? 'first-egress' : 'first-direct',
    `${egress ? `(await import(${JSON.stringify(EGRESS)})).installEgress(${JSON.stringify(socketPath)});` : ''}
const t1 = performance.now();
await (await fetch(${JSON.stringify(url)})).text();
const t2 = performance.now();
await (await fetch(${JSON.stringify(url)})).text();
const out = { first: t2 - t1, second: performance.now() - t2 };`,
  );
const warm = (egress: boolean): string =>
  script(
    egress ? 'warm-egress' : 'warm-direct',
    `${egress ? `(await import(${JSON.stringify(EGRESS)})).installEgress(${JSON.stringify(socketPath)});` : ''}
const samples = [];
for (let i = 0; i < ${REQUESTS + 50}; i++) {
  const t = performance.now();
  await (await fetch(${JSON.stringify(url)})).text();
  if (i >= 50) samples.push(performance.now() - t);
}
samples.sort((a, b) => a - b);
const out = { median: samples[samples.length >> 1] };`,
  );

/** Runs `file` RUNS times (asynchronously: the proxy and server live in this process). */
async function measure(file: string): Promise<{ wall: number; fields: Record<string, number> }> {
  const walls: number[] = [];
  const fields: Record<string, number[]> = {};
  const { execFile } = await import('node:child_process');
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [file], (error, out) => (error ? reject(error) : resolve(out))),
    );
    walls.push(performance.now() - t);
    for (const [key, value] of Object.entries(JSON.parse(stdout) as Record<string, number>))
      (fields[key] ??= []).push(value);
  }
  return {
    wall: median(walls),
    fields: Object.fromEntries(Object.entries(fields).map(([key, values]) => [key, median(values)])),
  };
}

execFileSync(process.execPath, ['-e', '0']);
const base = await measure(noStart);
const withEgress = await measure(start);
const direct1 = await measure(firstFetch(false));
const egress1 = await measure(firstFetch(true));
const directWarm = await measure(warm(false));
const egressWarm = await measure(warm(true));

const ms = (value: number | undefined): string => `${(value ?? NaN).toFixed(2)} ms`;
const signed = (value: number): string => `${value < 0 ? '−' : '+'}${ms(Math.abs(value))}`;
const ratio = (a: number | undefined, b: number | undefined): string =>
  `${((a ?? NaN) / (b ?? NaN)).toFixed(2)}×`;
console.log(`node ${process.version}, medians of ${RUNS} fresh processes`);
console.log(
  `start: process wall ${ms(base.wall)} → ${ms(withEgress.wall)} with installEgress (${signed(withEgress.wall - base.wall)}); import + install ${ms(withEgress.fields.install)}`,
);
console.log(
  `first fetch: direct ${ms(direct1.fields.first)}, through the proxy ${ms(egress1.fields.first)} (${ratio(egress1.fields.first, direct1.fields.first)}); second: ${ms(direct1.fields.second)} vs ${ms(egress1.fields.second)}`,
);
console.log(
  `warm keep-alive fetch (median of ${REQUESTS}): direct ${ms(directWarm.fields.median)}, through the proxy ${ms(egressWarm.fields.median)} (${ratio(egressWarm.fields.median, directWarm.fields.median)})`,
);
console.log(`proxy: ${JSON.stringify(proxy.stats())}`);

await proxy.close();
server.close();
rmSync(dir, { recursive: true, force: true });
