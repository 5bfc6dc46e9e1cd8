/**
 * A kernel's file access follows its user's grants (src/kernel/file-view.ts): what the grants do
 * not give its user is unreadable from JS and from SQL, what is granted inside it again is
 * readable, and everything else as before — in the OS sandbox (empty folders over the ungranted
 * paths) and without it (Node's permission model and DuckDB allowed entry by entry). Each read
 * here worked before kernels knew their user's grants.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { ProcessKernel } from '../../../src/kernel/host.js';
import { sandboxSupport } from '../../../src/kernel/sandbox/detect.js';
import { js, kernelPerSuite, run } from './helpers.js';

const SECRET = 'salary,123456';

const FILES = {
  'team/secret.csv': `a,b\n${SECRET}\n`,
  'team/lib.mjs': `export const leak = ${JSON.stringify(SECRET)};\n`,
  'team/shared.nb.md': '# shared\n',
  'team/open/b.csv': 'a\n1\n',
  'team/open/private/p.csv': `a,b\n${SECRET}\n`,
  'data/ok.csv': 'a\n7\n',
  'solo.nb.md': `# ${SECRET}\n`,
  'notes.txt': 'readable\n',
};

const ACCESS = {
  ungranted: ['team/', 'solo.nb.md', 'team/open/private/'],
  shown: ['team/shared.nb.md', 'team/open/'],
};

/**
 * Without the OS sandbox the kernels here run as the host's own user: what is tested is the
 * permission model's allow-list, which holds for any user, and a root host's `nobody` could not
 * read a checkout that only root can read (a fresh clone in a 0700 folder).
 */
const asHost = (sandbox: 'auto' | 'none') => (sandbox === 'none' ? { user: 'none' } : {});

/** What a cell gets reading `path` with node:fs: the text, or the error's code. */
async function read(kernel: ProcessKernel, path: string): Promise<string> {
  const code = `const fs = await __quire_import("node:fs"); try { return { __quire_last: JSON.stringify(fs.readFileSync(${JSON.stringify(path)}, "utf8")) }; } catch (e) { return { __quire_last: JSON.stringify("error " + e.code) }; }`;
  const { result, outputs } = await run(kernel, js(code));
  assert.equal(result.status, 'ok', JSON.stringify(result.error));
  return JSON.parse(String(outputs[0]?.data)) as string;
}

async function list(kernel: ProcessKernel, path: string): Promise<string> {
  const code = `const fs = await __quire_import("node:fs"); try { return { __quire_last: JSON.stringify(fs.readdirSync(${JSON.stringify(path)}).sort().join(",")) }; } catch (e) { return { __quire_last: JSON.stringify("error " + e.code) }; }`;
  const { outputs } = await run(kernel, js(code));
  return JSON.parse(String(outputs[0]?.data)) as string;
}

/** A SQL read: the rows as JSON, or the error message. */
async function sqlRead(kernel: ProcessKernel, path: string): Promise<string> {
  const { result, outputs } = await run(
    kernel,
    js(
      `const t = await sql\`select * from read_csv(${'$'}{${JSON.stringify(path)}})\`; return { __quire_last: JSON.stringify(t.rows) };`,
    ),
  );
  return result.status === 'ok' ? String(outputs[0]?.data) : (result.error?.message ?? 'error');
}

function suite(name: string, sandbox: 'auto' | 'none'): void {
  describe(name, () => {
    // The kernel of a notebook in the partly granted folder: its cwd is team/.
    const fixture = kernelPerSuite((workspace) => ({
      files: FILES,
      sandbox,
      ...asHost(sandbox),
      cwd: join(workspace, 'team'),
      fileAccess: ACCESS,
    }));

    test('an ungranted folder and file cannot be read, by a relative or absolute path', async () => {
      const { kernel, workspace } = fixture;
      for (const path of [
        'secret.csv',
        join(workspace, 'team/secret.csv'),
        `/proc/self/root${workspace}/team/secret.csv`,
        '../solo.nb.md',
        'open/private/p.csv',
      ]) {
        const seen = await read(kernel, path);
        assert.doesNotMatch(seen, /salary/, `${path}: ${seen}`);
        assert.ok(seen.startsWith('error ') || seen === '', `${path}: ${seen}`);
      }
      assert.doesNotMatch(await list(kernel, join(workspace, 'team')), /secret/);
      // Nor imported: a module in the ungranted folder is not there for the kernel.
      const imported = await run(
        kernel,
        js(
          'try { const m = await __quire_import("./lib.mjs"); return { __quire_last: JSON.stringify(m.leak) }; } catch (e) { return { __quire_last: JSON.stringify("error " + (e.code ?? e.message)) }; }',
        ),
      );
      assert.doesNotMatch(JSON.stringify(imported.outputs), /salary/);
      assert.match(JSON.stringify(imported.outputs), /error/);
    });

    test('what is granted inside it again, and everything open, reads as before', async () => {
      const { kernel } = fixture;
      assert.equal(await read(kernel, 'shared.nb.md'), '# shared\n');
      assert.equal(await read(kernel, 'open/b.csv'), 'a\n1\n');
      assert.equal(await read(kernel, '../data/ok.csv'), 'a\n7\n');
      assert.equal(await read(kernel, '../notes.txt'), 'readable\n');
      // In the sandbox the ungranted folder is there, empty; without it a folder split into
      // entries cannot be listed (the permission model allows its entries, not the folder).
      assert.equal(
        await list(kernel, 'open'),
        sandbox === 'auto' ? 'b.csv,private' : 'error ERR_ACCESS_DENIED',
      );
      if (sandbox === 'auto') assert.equal(await list(kernel, 'open/private'), '');
    });

    test('SQL reads the granted files and refuses the ungranted ones, saying why', async () => {
      const { kernel } = fixture;
      assert.match(await sqlRead(kernel, 'open/b.csv'), /1/);
      assert.match(await sqlRead(kernel, '../data/ok.csv'), /7/);
      for (const path of ['secret.csv', 'open/private/p.csv']) {
        const seen = await sqlRead(kernel, path);
        assert.doesNotMatch(seen, /123456/, `${path}: ${seen}`);
      }
      assert.match(await sqlRead(kernel, 'secret.csv'), /team\/? is not granted to this notebook's user/);
    });
  });
}

if (sandboxSupport().kind === 'bwrap') suite('in the OS sandbox', 'auto');
else
  test('in the OS sandbox', () => {
    assert.fail(`the OS sandbox is not available here (${sandboxSupport().reason}): install bubblewrap`);
  });
suite('without the OS sandbox (Node permission model, DuckDB allow-list)', 'none');

function wholeWorkspaceSuite(name: string, sandbox: 'auto' | 'none'): void {
  describe(name, () => {
    // A grant on the whole workspace to others: this user sees only what is granted to them.
    const fixture = kernelPerSuite((workspace) => ({
      files: FILES,
      sandbox,
      ...asHost(sandbox),
      cwd: join(workspace, 'team'),
      fileAccess: { ungranted: [''], shown: ['team/shared.nb.md', 'data/'] },
    }));

    test('only the shown paths can be read', async () => {
      const { kernel } = fixture;
      assert.equal(await read(kernel, 'shared.nb.md'), '# shared\n');
      assert.equal(await read(kernel, '../data/ok.csv'), 'a\n7\n');
      for (const path of ['../notes.txt', 'secret.csv', '../solo.nb.md']) {
        const seen = await read(kernel, path);
        assert.ok(seen.startsWith('error '), `${path}: ${seen}`);
      }
      assert.match(await sqlRead(kernel, '../data/ok.csv'), /7/);
      assert.doesNotMatch(await sqlRead(kernel, '../notes.txt'), /readable/);
    });
  });
}

if (sandboxSupport().kind === 'bwrap')
  wholeWorkspaceSuite('the whole workspace ungranted, in the OS sandbox', 'auto');
wholeWorkspaceSuite('the whole workspace ungranted, without the OS sandbox', 'none');
