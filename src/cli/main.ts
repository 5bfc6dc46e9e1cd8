/**
 * The `quire` command line (DESIGN §4). Each command lives in its own module, written with the
 * kit of command.ts, and is loaded only when used, so that `quire run` does not pay for what it
 * does not need: this index holds each one's summary line and how to load it.
 */
import type { Command } from './command.js';
import { EXIT, InputError } from './errors.js';

const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  run: {
    summary: 'run a notebook headless: quire run FILE [-p name=value]… [--out DIR] [--json] [--timeout 10m]',
    load: async () => (await import('./run.js')).runCommand,
  },
  runs: {
    summary: 'the run history: quire runs [FILE] [--json] [--sweep ID] [--status S] [--db URL]',
    load: async () => (await import('./runs.js')).runsCommand,
  },
  sweep: {
    summary: 'a parameter grid as one sweep of runs: quire sweep FILE -p a=1,2 -p b=x,y [--parallel N]',
    load: async () => (await import('./sweep.js')).sweepCommand,
  },
  show: {
    summary: "one run's record and artifacts: quire show RUN [--json] [--report FILE]",
    load: async () => (await import('./show.js')).showCommand,
  },
  rerun: {
    summary: 'a reproducibility re-run: quire rerun RUN (same source and params; are the outputs the same?)',
    load: async () => (await import('./rerun.js')).rerunCommand,
  },
  submit: {
    summary: "queue a run for the server's pool or the workers: quire submit FILE [-p name=value]… [--wait]",
    load: async () => (await import('./submit.js')).submitCommand,
  },
  worker: {
    summary: 'take queued runs: quire worker [--db postgres://…] [--concurrency N] [--metrics-port P]',
    load: async () => (await import('./worker.js')).workerCommand,
  },
  secrets: {
    summary:
      'the encrypted secret store: quire secrets set NAME (value on stdin) | list | rm NAME | rotate-key',
    load: async () => (await import('./secrets.js')).secretsCommand,
  },
  audit: {
    summary: 'the audit log: quire audit [--since T] [--user U] [--event E] [--json]; quire audit verify',
    load: async () => (await import('./audit.js')).auditCommand,
  },
  users: {
    summary: 'the accounts of quire serve: quire users add|list|passwd|role|disable|enable|groups …',
    load: async () => (await import('./users.js')).usersCommand,
  },
  token: {
    summary: 'API tokens: quire token create --user NAME --scope S [--expires 30d] | list | revoke ID',
    load: async () => (await import('./token.js')).tokenCommand,
  },
  grants: {
    summary:
      'who may do what where: quire grants add PATH (--user U | --group G | --everyone) --level L | list | rm ID',
    load: async () => (await import('./grants.js')).grantsCommand,
  },
  notebooks: {
    summary: 'read-only notebooks: quire notebooks lock PATH [--reason TEXT] | unlock PATH',
    load: async () => (await import('./notebooks.js')).notebooksCommand,
  },
  serve: {
    summary: 'the editor: quire serve [DIR] [--port N] [--host H] (prints a login URL)',
    load: async () => (await import('./serve.js')).serveCommand,
  },
};

const usage = (): string =>
  [
    'usage: quire <command> [options]',
    '',
    'commands:',
    ...Object.entries(commands).map(([name, { summary }]) => `  ${name.padEnd(8)} ${summary}`),
    '',
    'Run `quire <command> --help` for the options of one command.',
  ].join('\n');

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name === undefined ? EXIT.badInput : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    const { quireVersion } = await import('../runner/runtime-info.js');
    process.stdout.write(`${quireVersion()}\n`);
    return EXIT.ok;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`quire: unknown command "${name}"\n\n${usage()}\n`);
    return EXIT.badInput;
  }
  try {
    return await (await command.load()).run(rest);
  } catch (error) {
    if (error instanceof InputError) {
      process.stderr.write(`quire ${name}: ${error.message}\n`);
      return EXIT.badInput;
    }
    throw error;
  }
}
