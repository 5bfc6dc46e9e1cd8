/**
 * `quire serve [DIR] [--port N] [--host H] [--origin URL]… [--db URL] …` (DESIGN §4): the editor's
 * server on DIR (default: the current folder), bound to 127.0.0.1:8888 by default (`--port 0`: any
 * free port), with the run store of DIR (or `--db`). Prints the workspace and the store it uses,
 * then the login URL (reusable until the server stops); SIGINT/SIGTERM close the server and shut
 * its kernels down. A bad folder, port, origin, quota, store or workspace config is bad input
 * (exit 2, one line).
 */
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { locateWorkspace } from '../runner/workspace.js';
import { parseOrigin } from '../shared/origin.js';
import { boolean, defineCommand, parsed, text, wholeNumber, type Option, type Values } from './command.js';
import { InputError } from './errors.js';

const HELP = `usage: quire serve [DIR] [--port N] [--host H] [--origin URL]… [--db URL] [--accounts] [--concurrency N]
                   [--max-running N] [--kernels-per-user N] [--runs-per-user N]

  DIR               the folder of notebooks to serve (default: the current folder)
  --port N          the port (default 8888; 0 picks a free one)
  --host H          the address to bind (default 127.0.0.1: only this machine can connect)
  --origin URL      an origin browsers reach the server at besides the bound address, e.g. a
                    reverse proxy's https://notebooks.example.com (repeatable; also server.origins
                    in quire.config.json). Requests naming any other host are refused (421)
  --db URL          the run store (default: QUIRE_DB, else .quire/quire.db in DIR)
  --accounts        users log in with accounts even before the store has any: prints a one-time
                    setup URL that creates the first admin (single sign-on in quire.config.json
                    implies it). Without users and without it: one owner, the printed login URL
  --concurrency N   queued and scheduled runs this server executes at once (default 2)
  --max-running N   runs at once across every server and worker sharing the store
  --kernels-per-user N, --runs-per-user N
                    per-user quotas (accounts mode) in place of quotas in quire.config.json

Adding the first user (\`quire users add\`) while the server runs turns it to accounts mode at once:
the single-user login URL stops working and its browsers are logged out.
The server also fires the notebooks' schedules and executes queued runs (docs/operations.md).`;

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new InputError(`--port expects 0…65535, got "${text}"`);
  return port;
}

const atLeastOne = {
  min: 1,
  message: (flag: string, text: string) => `${flag} expects a whole number ≥ 1, got "${text}"`,
};

/** The per-user quotas take what quire.config.json's `quotas` takes. */
const quota = {
  min: 1,
  max: 10_000,
  message: (flag: string, text: string) => `${flag} expects a whole number from 1 to 10000, got "${text}"`,
};

/** `--origin URL`, repeatable: each an exact origin, normalized as a browser writes it. */
const originList: Option<string[]> = {
  type: 'string',
  multiple: true,
  convert: (raw, flag) =>
    (Array.isArray(raw) ? raw : []).map((text) => {
      const parsed = parseOrigin(text);
      if ('error' in parsed) throw new InputError(`${flag}: ${parsed.error}`);
      return parsed.origin;
    }),
};

const CONFIG_ERRORS = new Set([
  'StoreConfigError',
  'AlertConfigError',
  'WorkspaceConfigError',
  'OidcConfigError',
]);

/**
 * What the server uses, said once at start: the workspace (all that its kernels may read) and the
 * run store. When `quire run` would pick another workspace for these notebooks (a project marker
 * above the folder), a note says so: their runs would land in another store.
 */
export function startBanner(
  workspace: string,
  store: string,
  loginUrl: string,
  isolation: string[] = [],
): string {
  const lines = [
    `Quire is serving ${workspace}`,
    `  workspace  ${workspace} (the notebooks and all that their cells may read)`,
    `  run store  ${store}`,
    ...isolation.map((line) => `  ${line}`),
  ];
  const wider = locateWorkspace(workspace);
  if (wider.root !== workspace)
    lines.push(
      `  note: \`quire run\` takes ${wider.root} (it holds ${wider.marker}) as these notebooks' workspace:`,
      `        their cells read all of it there, and their runs go to its store unless --db says otherwise;`,
      `        a quire.config.json in ${workspace} makes this folder their workspace under both commands`,
    );
  lines.push(`  ${loginUrl}`, 'Ctrl-C to stop');
  return lines.join('\n') + '\n';
}

const options = {
  port: parsed(parsePort, 8888),
  host: text(),
  origin: originList,
  db: text(),
  accounts: boolean(),
  concurrency: wholeNumber(atLeastOne, 2),
  'max-running': wholeNumber(atLeastOne),
  'kernels-per-user': wholeNumber(quota),
  'runs-per-user': wholeNumber(quota),
};

export const serveCommand = defineCommand({
  name: 'serve',
  help: HELP,
  positionals: { min: 0, max: 1, wrongCount: (n) => `expected at most one folder, got ${n}` },
  options,
  run: (values, [folder]) => serve(values, folder),
});

async function serve(values: Values<typeof options>, folder: string | undefined): Promise<number> {
  const { port } = values;
  if (values.db !== undefined) (await import('./store-access.js')).checkDbFlag(values.db);
  const workspace = resolve(folder ?? '.');
  // Once, before anything starts: a host that cannot run kernels here says why and how to fix it.
  const { isolationReport } = await import('../kernel/sandbox/report.js');
  const isolation = existsSync(workspace) ? isolationReport(workspace) : { lines: [] };
  if (isolation.error) throw new InputError(isolation.error);
  const { startServer } = await import('../server/server.js');
  let server;
  try {
    server = await startServer({
      workspace,
      port,
      host: values.host ?? '127.0.0.1',
      ...(values.db !== undefined ? { db: values.db } : {}),
      ...(values.accounts ? { accounts: true } : {}),
      ...(values.origin.length > 0 ? { origins: values.origin } : {}),
      quotas: {
        ...(values['kernels-per-user'] !== undefined ? { kernelsPerUser: values['kernels-per-user'] } : {}),
        ...(values['runs-per-user'] !== undefined ? { runsPerUser: values['runs-per-user'] } : {}),
      },
      jobs: {
        concurrency: values.concurrency,
        ...(values['max-running'] !== undefined ? { globalCap: values['max-running'] } : {}),
      },
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new InputError((error as Error).message);
    }
    if (error instanceof Error && /is not a folder/.test(error.message)) throw new InputError(error.message);
    // A store that cannot be opened (an unreachable PostgreSQL, an unwritable .quire/), or a
    // quire.config.json asking for a variable that is not set (alerts, metrics token): bad input.
    if (error instanceof Error && CONFIG_ERRORS.has(error.name)) throw new InputError(error.message);
    throw error;
  }
  const running = server;
  return new Promise<number>((done) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals, code: number) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`quire serve: stopping (${signal})\n`);
      running.close().then(
        () => done(code),
        (error: unknown) => {
          process.stderr.write(`quire serve: ${String(error)}\n`);
          done(code);
        },
      );
    };
    process.once('SIGINT', () => stop('SIGINT', 0));
    process.once('SIGTERM', () => stop('SIGTERM', 0));
    // Only now: whoever reads "Ctrl-C to stop" may signal at once, and a signal that came before
    // the handlers would kill the server without closing its kernels and store.
    process.stdout.write(
      startBanner(
        running.workspace,
        running.store.db.label,
        running.setupUrl
          ? `${running.setupUrl}\n    (no users yet: open this one-time link within an hour to create the first admin)`
          : running.mode === 'accounts'
            ? `${running.loginUrl}  (accounts: log in with your name and password)`
            : running.loginUrl,
        isolation.lines,
      ),
    );
  });
}
