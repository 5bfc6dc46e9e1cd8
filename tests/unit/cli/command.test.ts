// The command kit (src/cli/command.ts): flags parsed and converted by their declared types,
// `--help`, the count of positionals, and bad input (the kit's, a command's, the runner's) as
// InputError, which main turns into exit code 2.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  boolean,
  defineCommand,
  duration,
  list,
  parseParamFlags,
  parsed,
  text,
  wholeNumber,
} from '../../../src/cli/command.js';
import { InputError } from '../../../src/cli/errors.js';
import { RunInputError } from '../../../src/runner/errors.js';

const HELP = 'usage: quire probe FILE';

/** A command that hands back what it was given, so the kit's work can be checked. */
function probe(onRun: (values: unknown, positionals: string[]) => Promise<number> = async () => 0) {
  let seen: { values: unknown; positionals: string[] } | undefined;
  const command = defineCommand({
    name: 'probe',
    help: HELP,
    positionals: { min: 1, max: 1, wrongCount: (n) => `expected one file, got ${n}` },
    options: {
      param: list('p'),
      json: boolean(),
      out: text(),
      timeout: duration(),
      lease: duration(30_000),
      parallel: wholeNumber(
        { min: 1, max: 8, message: (flag, value) => `${flag}: from 1 to 8, got "${value}"` },
        1,
      ),
      upper: parsed((value) => value.toUpperCase()),
    },
    run: async (values, positionals) => {
      seen = { values, positionals };
      return onRun(values, positionals);
    },
  });
  return { command, seen: () => seen };
}

/** What the kit wrote on stdout while `fn` ran. */
async function stdoutOf(fn: () => Promise<unknown>): Promise<string> {
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  try {
    await fn();
  } finally {
    process.stdout.write = write;
  }
  return out;
}

describe('defineCommand', () => {
  it('converts every option by its type; absent options take their defaults', async () => {
    const { command, seen } = probe();
    const code = await command.run(['nb.md', '-p', 'a=1', '--param', 'b=2', '--json', '--timeout', '90s']);
    assert.equal(code, 0);
    assert.deepEqual(seen(), {
      values: {
        param: ['a=1', 'b=2'],
        json: true,
        out: undefined,
        timeout: 90_000,
        lease: 30_000,
        parallel: 1,
        upper: undefined,
      },
      positionals: ['nb.md'],
    });
    await command.run(['nb.md', '--parallel', '8', '--upper', 'eu', '--out', 'dir']);
    const values = seen()!.values as Record<string, unknown>;
    assert.equal(values.parallel, 8);
    assert.equal(values.upper, 'EU');
    assert.equal(values.out, 'dir');
  });

  it('--help and -h print the help and run nothing', async () => {
    for (const flag of ['--help', '-h']) {
      const { command, seen } = probe();
      let code: number | undefined;
      const out = await stdoutOf(async () => (code = await command.run([flag])));
      assert.equal(out, HELP + '\n');
      assert.equal(code, 0);
      assert.equal(seen(), undefined);
    }
  });

  it('a wrong count of positionals is bad input with the help', async () => {
    const { command, seen } = probe();
    await assert.rejects(command.run([]), new InputError(`expected one file, got 0\n${HELP}`));
    await assert.rejects(command.run(['a', 'b']), new InputError(`expected one file, got 2\n${HELP}`));
    assert.equal(seen(), undefined);
  });

  it('an unknown flag, or positionals where none are taken, is bad input', async () => {
    const { command } = probe();
    await assert.rejects(command.run(['nb.md', '--nope']), InputError);
    const none = defineCommand({ name: 'none', help: '', options: {}, run: async () => 0 });
    await assert.rejects(none.run(['extra']), InputError);
  });

  it('time limits and whole numbers name the flag when they are wrong', async () => {
    const { command, seen } = probe();
    await assert.rejects(
      command.run(['nb.md', '--timeout', '10']),
      /^InputError: --timeout: invalid duration "10"/,
    );
    await assert.rejects(
      command.run(['nb.md', '--lease', '0s']),
      new InputError('--lease: the limit must be more than zero, got "0s"'),
    );
    for (const bad of ['0', '9', '1.5', 'x', ''])
      await assert.rejects(
        command.run(['nb.md', '--parallel', bad]),
        new InputError(`--parallel: from 1 to 8, got "${bad}"`),
      );
    assert.equal(seen(), undefined);
  });

  it("the runner's bad input is the command's bad input; other errors pass through", async () => {
    const input = probe(async () => {
      throw new RunInputError('nb.md: no such file');
    });
    await assert.rejects(input.command.run(['nb.md']), new InputError('nb.md: no such file'));
    const fault = probe(async () => {
      throw new TypeError('a bug');
    });
    await assert.rejects(fault.command.run(['nb.md']), TypeError);
  });
});

describe('parseParamFlags', () => {
  it('splits at the first =, keeps the rest of the value, refuses a name twice or none', () => {
    assert.deepEqual(parseParamFlags(['region=EU', 'q=a=b']), { region: 'EU', q: 'a=b' });
    assert.throws(() => parseParamFlags(['=1']), new InputError('-p expects name=value, got "=1"'));
    assert.throws(() => parseParamFlags(['a=1', 'a=2']), new InputError('param "a" is given twice'));
  });
});
