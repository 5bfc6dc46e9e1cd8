// Scheduled runs run as their owner, checked when they start. Accounts-mode `quire serve` records
// who saved a notebook's schedule (PUT /api/notebooks); the jobs of a process (the same code
// `quire serve` and `quire worker` use: startJobs with the run observers) fire the slot on a manual
// clock and execute the run. An owner who may still execute gets an ok run (a real kernel); one
// demoted to viewer or disabled between the save and the slot gets a failed run naming why, and
// the failure alert reaches a real webhook. A schedule on disk that nobody saved through the
// server (or that changed on disk since) has no owner and is refused the same way.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Accounts } from '../../../src/auth/accounts.js';
import { ManualClock } from '../../../src/jobs/clock.js';
import { runObservers } from '../../../src/jobs/observe.js';
import { startJobs, type Jobs } from '../../../src/jobs/start.js';
import { createLogger } from '../../../src/metrics/log.js';
import { QuireMetrics } from '../../../src/metrics/registry.js';
import { memoryEventSink } from '../../../src/server/events.js';
import { findNotebooks } from '../../../src/server/scan.js';
import { startServer } from '../../../src/server/server.js';
import { openStore } from '../../../src/store/open.js';
import type { RunStore } from '../../../src/store/run-store.js';
import type { StoredRun } from '../../../src/store/types.js';
import { accountLogin, makeWorkspace, removeWorkspace, sleep, withCsrf } from '../server/helpers.js';

const HOOK_ENV = 'QUIRE_TEST_OWNER_HOOK';
const PASSWORD = 'correct horse battery';
const scheduled = (title: string) =>
  `---\ntitle: ${title}\nschedule: { cron: "0 * * * *" }\n---\n\n\`\`\`ts\nconst x = 1;\n\`\`\`\n`;

/** A webhook that keeps every POSTed body. */
class Webhook {
  readonly bodies: Record<string, unknown>[] = [];
  private readonly server: Server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      this.bodies.push(JSON.parse(text) as Record<string, unknown>);
      res.writeHead(204).end();
    });
  });
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let ws: string;
let db: string;
const webhook = new Webhook();
const START = Date.UTC(2026, 0, 5, 9, 0, 30);
const SLOT = Date.UTC(2026, 0, 5, 10, 0, 0);

before(async () => {
  process.env[HOOK_ENV] = await webhook.start();
  ws = makeWorkspace({
    'kept.nb.md': '# Kept\n',
    'demoted.nb.md': '# Demoted\n',
    'disabled.nb.md': '# Disabled\n',
    'changed.nb.md': '# Changed\n',
    // on disk with a schedule from the start: nobody saved it through the server
    'unsaved.nb.md': scheduled('Unsaved'),
    'quire.config.json': JSON.stringify({ alerts: { webhook: { urlEnv: HOOK_ENV } } }),
  });
  db = `sqlite:${join(ws, '.quire', 'quire.db')}`;
  const store = await openStore({ workspace: ws });
  const accounts = new Accounts(store.db);
  await accounts.addUser('ada', 'admin', PASSWORD);
  await accounts.addUser('ed', 'editor', PASSWORD);
  await accounts.addUser('dee', 'editor', PASSWORD);
  await store.close();
});

after(async () => {
  await webhook.stop();
  delete process.env[HOOK_ENV];
  removeWorkspace(ws);
});

/** Saves notebooks through an accounts-mode server as `name` (PUT /api/notebooks/…). */
async function saveAs(name: string, notebooks: Record<string, string>): Promise<void> {
  const server = await startServer({ workspace: ws, port: 0, jobs: false, db, events: memoryEventSink() });
  try {
    assert.equal(server.mode, 'accounts');
    const cookie = await accountLogin(server.url, name, PASSWORD);
    for (const [path, text] of Object.entries(notebooks)) {
      const read = (await (
        await fetch(`${server.url}/api/notebooks/${path}`, { headers: { cookie } })
      ).json()) as {
        version: string;
      };
      const saved = await fetch(`${server.url}/api/notebooks/${path}`, {
        method: 'PUT',
        headers: { ...withCsrf(cookie), 'content-type': 'application/json', origin: server.url },
        body: JSON.stringify({ text, baseVersion: read.version }),
      });
      assert.equal(saved.status, 200, await saved.text());
    }
  } finally {
    await server.close();
  }
}

/** The jobs of a process on the store, its scheduler on a manual clock, alerts on. */
async function jobsOn(
  store: RunStore,
  clock: ManualClock,
): Promise<{ jobs: Jobs; drain: () => Promise<void> }> {
  const log = createLogger({ base: { component: 'test' }, stream: { write: () => true } as never });
  const observers = await runObservers({ store, workspace: ws, metrics: new QuireMetrics(), log });
  const jobs = await startJobs({
    store,
    workspace: ws,
    worker: 'worker@test:1',
    clock,
    schedules: {
      load: async () => {
        const { readFile } = await import('node:fs/promises');
        const paths = await findNotebooks(ws);
        return Promise.all(
          paths.map(async (path) => ({ path, source: await readFile(join(ws, path), 'utf8') })),
        );
      },
    },
    onFinal: (run, record) => observers.onFinal(run, record),
  });
  return { jobs, drain: () => observers.drain() };
}

async function finalRun(store: RunStore, path: string): Promise<StoredRun> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(100)) {
    const [run] = await store.list({ path, trigger: 'schedule' });
    if (run && !['queued', 'running'].includes(run.status)) return run;
  }
  throw new Error(`no final scheduled run of ${path}`);
}

test('a scheduled run runs as the user who saved the schedule, checked again when it starts', async () => {
  // ed saves three schedules, dee one; then, before the slot, ed is demoted and dee disabled.
  await saveAs('ed', {
    'demoted.nb.md': scheduled('Demoted'),
    'changed.nb.md': scheduled('Changed'),
  });
  await saveAs('dee', { 'disabled.nb.md': scheduled('Disabled') });
  await saveAs('ada', { 'kept.nb.md': scheduled('Kept') });
  // A schedule changed on disk after it was saved is not the one its owner saved.
  writeFileSync(join(ws, 'changed.nb.md'), scheduled('Changed').replace('0 * * * *', '0 */2 * * *'));

  const store = await openStore({ url: db, workspace: ws });
  const ownerIds = Object.fromEntries(
    (await new Accounts(store.db).listUsers()).map((account) => [account.name, account.id]),
  );
  assert.equal((await store.scheduleOwner('demoted.nb.md'))?.ownerId, ownerIds.ed);
  assert.equal((await store.scheduleOwner('disabled.nb.md'))?.ownerId, ownerIds.dee);
  assert.equal(await store.scheduleOwner('unsaved.nb.md'), undefined);

  const accounts = new Accounts(store.db);
  await accounts.setRole('ed', 'viewer');
  await accounts.setDisabled('dee', true);

  const clock = new ManualClock(START);
  const { jobs, drain } = await jobsOn(store, clock);
  try {
    await clock.advanceTo(SLOT);
    const kept = await finalRun(store, 'kept.nb.md');
    assert.equal(kept.status, 'ok', kept.error);
    assert.equal(kept.ownerId, ownerIds.ada);

    const demoted = await finalRun(store, 'demoted.nb.md');
    assert.equal(demoted.status, 'error');
    assert.equal(demoted.ownerId, ownerIds.ed);
    assert.equal(
      demoted.error,
      'owner ed may no longer run demoted.nb.md: role viewer may not execute notebooks',
    );
    assert.equal(demoted.attempt, 1, 'refused once, not retried');

    const disabled = await finalRun(store, 'disabled.nb.md');
    assert.equal(disabled.status, 'error');
    assert.equal(disabled.error, 'owner dee may no longer run disabled.nb.md: the account is disabled');

    for (const path of ['unsaved.nb.md', 'changed.nb.md']) {
      const run = await finalRun(store, path);
      assert.equal(run.status, 'error');
      assert.equal(run.ownerId, undefined);
      assert.match(
        run.error ?? '',
        new RegExp(`^the schedule of ${path.replace('.', '\\.')} has no owner: .*an editor must save`),
      );
    }

    // Each refusal is a failed run: its alert reached the webhook, naming the reason.
    await drain();
    const failures = webhook.bodies.filter((b) => b.kind === 'failure');
    const errorOf = (path: string) =>
      failures.find((b) => (b.notebook as { path: string }).path === path)?.error;
    assert.equal(errorOf('demoted.nb.md'), demoted.error);
    assert.equal(errorOf('disabled.nb.md'), disabled.error);
    assert.match(String(errorOf('unsaved.nb.md')), /has no owner/);
    assert.equal(errorOf('kept.nb.md'), undefined, 'the run that could run sent no alert');
  } finally {
    await jobs.stop(1000);
    await drain();
    await store.close();
  }
});
