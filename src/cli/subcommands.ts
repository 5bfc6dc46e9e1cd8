/**
 * A command made of subcommands (`quire users add …`, `quire token create …`): the first word
 * picks one, each written with defineCommand; `--help` or no word prints the list.
 */
import type { Command } from './command.js';
import { EXIT, InputError } from './errors.js';

export function defineGroup(
  name: string,
  summary: string,
  subcommands: Record<string, { summary: string; command: Command }>,
): Command {
  const help = [
    `usage: quire ${name} <subcommand> [options]   (${summary})`,
    '',
    ...Object.entries(subcommands).map(([word, { summary }]) => `  ${word.padEnd(8)} ${summary}`),
    '',
    `Run \`quire ${name} <subcommand> --help\` for its options.`,
  ].join('\n');
  return {
    name,
    async run(argv) {
      const [word, ...rest] = argv;
      if (word === '--help' || word === '-h' || word === 'help') {
        process.stdout.write(help + '\n');
        return EXIT.ok;
      }
      const sub = word === undefined ? undefined : subcommands[word];
      if (!sub)
        throw new InputError(
          `${word === undefined ? 'expected a subcommand' : `unknown subcommand "${word}"`}\n${help}`,
        );
      return sub.command.run(rest);
    },
  };
}
