import { parseArgs } from 'node:util';
import { createNodeHost } from '../data/nodeHost';
import { runCheck } from './check';
import { runEstimate } from './estimate';
import { EXIT, UsageError, type Output } from './io';

const USAGE = `Usage: modelspec <command> [options]

Commands:
  check FILE... [--json]                 report problems (exit 1 on errors)
  estimate FILE [--model NAME] [--json]  parameters, MACs/FLOPs, memory and training compute

Options:
  --json        machine-readable output
  --model NAME  only this model
  -h, --help    show this help
  -v, --version show the version`;

export function main(argv: readonly string[], io: Output): number {
  try {
    return dispatch(argv, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`modelspec: ${err.message}`);
      return EXIT.usage;
    }
    throw err;
  }
}

function dispatch(argv: readonly string[], io: Output): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    (command === undefined ? io.err : io.out)(USAGE);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (command === '-v' || command === '--version') {
    io.out(VERSION);
    return EXIT.ok;
  }
  const host = createNodeHost();
  switch (command) {
    case 'check': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } });
      if (positionals.length === 0) throw new UsageError('check needs at least one FILE');
      return runCheck({ files: positionals, json: values.json === true }, host, io);
    }
    case 'estimate': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' }, model: { type: 'string' } });
      if (positionals.length !== 1) throw new UsageError('estimate needs exactly one FILE');
      return runEstimate({ file: positionals[0], model: values.model as string | undefined, json: values.json === true }, host, io);
    }
    default:
      throw new UsageError(`unknown command '${command}'\n\n${USAGE}`);
  }
}

function parse(args: string[], options: Record<string, { type: 'boolean' | 'string' }>) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';

if (require.main === module) {
  const code = main(process.argv.slice(2), {
    out: (t) => process.stdout.write(t + '\n'),
    err: (t) => process.stderr.write(t + '\n'),
  });
  process.exitCode = code;
}
