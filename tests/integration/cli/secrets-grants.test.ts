/**
 * Secret grants through the real CLI, on the embedded store and on PostgreSQL (`--db`):
 * `quire secrets grant|revoke` with `--path` and `--user`, `list` showing the grants, an audit entry
 * for each; and `quire run` of a notebook the secret is not granted to fails that cell with an
 * error naming the secret and the notebook — and nothing of the value anywhere in its output —
 * while a granted notebook reads it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../support/pg-database.js';
import { makeWorkspace, removeWorkspace, runCli, type CliResult } from './helpers.js';

const VALUE = 'wh-secret-3c9e71d0b2a4';

/** What a failed run said: its stderr and its cells' errors. */
const why = (run: CliResult): string =>
  `${run.stderr}${JSON.stringify(run.record?.cells.map((c) => c.error))}`;

const notebook = (title: string) => `# ${title}

\`\`\`js name=reads
const url = secrets.get('WH');
url.length
\`\`\`
`;

function suite(dialect: 'sqlite' | 'postgres') {
  describe(`quire secrets grant / revoke on ${dialect}`, () => {
    let dir: string;
    let database: TestDatabase | undefined;
    let db: string[] = [];
    const cli = (args: string[], input?: string): Promise<CliResult> =>
      runCli([...args, ...db], { cwd: dir, ...(input === undefined ? {} : { input }) });

    before(async () => {
      dir = makeWorkspace({
        'reports/q1.nb.md': notebook('Q1'),
        'scratch/x.nb.md': notebook('Scratch'),
      });
      if (dialect === 'postgres') {
        database = await createTestDatabase();
        db = ['--db', database.url];
      }
      const set = await cli(['secrets', 'set', 'WH'], VALUE);
      assert.equal(set.code, 0, set.stderr);
      const user = await cli(['users', 'add', 'alice', '--role', 'runner'], 'alice-password-123\n');
      assert.equal(user.code, 0, user.stderr);
    });
    after(async () => {
      removeWorkspace(dir);
      await database?.drop();
    });

    test('grant --path: another notebook fails the cell naming the secret; the granted one reads it', async () => {
      const grant = await cli(['secrets', 'grant', 'WH', '--path', './reports/']);
      assert.equal(grant.code, 0, grant.stderr);
      assert.equal(grant.stdout, 'secret WH granted to path reports/\n');

      const refused = await cli(['run', 'scratch/x.nb.md', '--json']);
      assert.equal(refused.code, 1, refused.stderr);
      const cell = refused.record!.cells.find((c) => c.name === 'reads')!;
      assert.equal(cell.status, 'error');
      assert.match(
        cell.error!.message,
        /secret "WH" is not granted to notebook scratch\/x\.nb\.md \(it is granted to reports\/\)/,
      );
      assert.ok(!refused.stdout.includes(VALUE) && !refused.stderr.includes(VALUE));
      assert.equal(refused.record!.secrets, undefined, 'a refused secret was not read');

      const granted = await cli(['run', 'reports/q1.nb.md', '--json']);
      assert.equal(granted.code, 0, why(granted));
    });

    test('grant --user: listed by name; `quire run` on the host is the host owner, not restricted', async () => {
      const unknown = await cli(['secrets', 'grant', 'WH', '--user', 'nobody-here']);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /no user "nobody-here"/);
      const grant = await cli(['secrets', 'grant', 'WH', '--user', 'alice']);
      assert.equal(grant.code, 0, grant.stderr);
      const list = await cli(['secrets', 'list']);
      assert.match(list.stdout, /WH .*path:reports\/ user:alice\n/);
      const json = JSON.parse((await cli(['secrets', 'list', '--json'])).stdout) as {
        secrets: { name: string; grants: Record<string, unknown>[] }[];
      };
      const grants = json.secrets.find((s) => s.name === 'WH')!.grants;
      assert.deepEqual(
        grants.map((g) => [g.kind, g.path ?? g.user]),
        [
          ['path', 'reports/'],
          ['user', 'alice'],
        ],
      );
      const run = await cli(['run', 'reports/q1.nb.md', '--json']);
      assert.equal(run.code, 0, why(run));
    });

    test('revoke: the last user grant needs --widen; each grant and revoke is in the audit log', async () => {
      const refused = await cli(['secrets', 'revoke', 'WH', '--user', 'alice']);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /not revoked: it is the secret's last user grant.*--widen/);
      const revoke = await cli(['secrets', 'revoke', 'WH', '--user', 'alice', '--widen']);
      assert.equal(revoke.code, 0, revoke.stderr);
      assert.equal(revoke.stdout, 'secret WH no longer granted to user alice\n');
      const none = await cli(['secrets', 'revoke', 'WH', '--path', 'ops/']);
      assert.equal(none.code, 2);
      assert.match(none.stderr, /secret "WH" is not granted to path ops\//);
      const both = await cli(['secrets', 'grant', 'WH', '--path', 'a/', '--user', 'alice']);
      assert.equal(both.code, 2);
      assert.match(both.stderr, /exactly one of --path P or --user U/);

      const audit = await cli(['audit', '--json']);
      assert.equal(audit.code, 0, audit.stderr);
      const entries = JSON.parse(audit.stdout) as { event: string; resource: unknown; detail: unknown }[];
      const grants = entries.filter((e) => e.event === 'secret.granted' || e.event === 'secret.revoked');
      assert.deepEqual(
        grants
          .map((e) => [e.event, e.resource, e.detail])
          .map(([event, resource, detail]) => [
            event,
            resource,
            Object.fromEntries(
              Object.entries(detail as object).filter(([k]) => k !== 'userId' && k !== 'osUser'),
            ),
          ]),
        [
          ['secret.granted', { kind: 'secret', name: 'WH' }, { path: 'reports/' }],
          ['secret.granted', { kind: 'secret', name: 'WH' }, { user: 'alice' }],
          ['secret.revoked', { kind: 'secret', name: 'WH' }, { user: 'alice', widen: true }],
        ],
      );
      assert.ok(!audit.stdout.includes(VALUE));
    });
  });
}

suite('sqlite');
suite('postgres');
