/**
 * A process that appends COUNT audit entries to the store at URL, one transaction each, named
 * NAME in their detail, once it reads a line on stdin: the concurrency test starts two, then lets
 * them go at once. Usage: node --import tsx append-worker.ts URL NAME COUNT
 */
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { AuditLog } from '../../../src/audit/log.js';
import { openStore } from '../../../src/store/open.js';

const [url, name, count] = process.argv.slice(2);
const store = await openStore({ url: url!, workspace: tmpdir() });
const audit = new AuditLog(store.db);
process.stdout.write('ready\n');
await once(process.stdin, 'data');
for (let n = 1; n <= Number(count); n++) {
  await audit.append([
    {
      time: new Date().toISOString(),
      event: 'run.started',
      user: name!,
      action: 'notebook:execute',
      resource: { kind: 'notebook', path: 'a.nb.md' },
      outcome: 'ok',
      via: 'http',
      detail: { worker: name!, attempt: n },
    },
  ]);
}
await store.close();
process.stdout.write('done\n');
