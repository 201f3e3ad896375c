import { CommandError, HELP, UsageError } from './cli/usage';
import { VERSION } from './version';

type Command = (args: string[]) => Promise<void>;

// Each command's code is imported when it runs: `--version` loads no server, `run` no HTTP server or file watcher.
const COMMANDS: Record<string, Command> = {
  serve: async (args) => (await import('./cli/serve')).serveCommand(args),
  run: async (args) => (await import('./cli/run')).runCommand(args),
  tool: async (args) => (await import('./cli/tool')).toolCommand(args),
  cron: async (args) => (await import('./cli/cron')).cronCommand(args),
  site: async (args) => (await import('./cli/site')).siteCommand(args),
  worker: async (args) => (await import('./cli/worker')).workerCommand(args),
  'worker-role': async (args) => (await import('./cli/worker-role')).workerRoleCommand(args),
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
  return COMMANDS.serve!(argv);
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
