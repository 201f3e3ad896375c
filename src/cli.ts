import { runCommand } from './cli/run';
import { serveCommand } from './cli/serve';
import { toolCommand } from './cli/tool';
import { CommandError, HELP, UsageError } from './cli/usage';
import { VERSION } from './package-info';

type Command = (args: string[]) => Promise<void>;

const COMMANDS: Record<string, Command> = {
  serve: serveCommand,
  run: runCommand,
  tool: toolCommand,
  version: async () => void process.stdout.write(`${VERSION}\n`),
  help: async () => void process.stdout.write(`${HELP}\n`),
};

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--version' || argv[0] === '-v') return COMMANDS.version!([]);
  if (argv.includes('--help') || argv.includes('-h')) return COMMANDS.help!([]);
  const [first, ...rest] = argv;
  if (first !== undefined && !first.startsWith('-')) {
    const command = COMMANDS[first];
    if (!command) throw new UsageError(`unknown command "${first}"`);
    return command(rest);
  }
  return serveCommand(argv);
}

main(process.argv.slice(2)).then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`boxagnts: ${error.message} (see boxagnts --help)\n`);
      process.exit(2);
    }
    if (error instanceof CommandError) {
      process.stderr.write(`boxagnts: ${error.message}\n`);
      process.exit(1);
    }
    process.stderr.write(
      `boxagnts: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
