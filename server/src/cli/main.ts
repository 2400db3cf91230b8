import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { createNodeHost } from '../data/nodeHost';
import { runCheck } from './check';
import { runEstimate } from './estimate';
import { EXIT, UsageError, type Output } from './io';
import { runCompare } from './compare';
import { runExport } from './export';
import { BACKEND_PREFERENCES, type BackendPreference } from '../training/protocol';
import { exitCodeOf, runTrain, TrainBlocked, TrainFailed, TrainStopped, type TrainFlags } from './train';
import { VERSION } from '../util/version';
import { terminalSafe, terminalSafeOutput } from '../util/terminal';

const USAGE = `Usage: modelspec <command> [options]

Commands:
  check FILE... [--json]                 report problems (exit 1 on errors)
  estimate FILE [--model NAME] [--backend B] [--json]
                                         parameters as the training engine counts them,
                                         MACs/FLOPs, memory and training compute
  train FILE --model NAME [--epochs N] [--backend B] [--nproc N] [--skip-memory-check] [--json]
                                         train one model in a background process
  compare FILE [--epochs N] [--backend B] [--skip-memory-check] [--json]
                                         train every model of the file's compare, one table
  export FILE [--model NAME] [--to pytorch|sklearn] [--out DIR] [--json]
                                         write a standalone PyTorch (or scikit-learn) project

Options:
  --json        machine-readable output
  --model NAME  only this model
  --epochs N    override the train section's epochs (neural models)
  --backend B   auto (default: PyTorch when a Python with torch is found, else
                TensorFlow.js), torch, or TensorFlow.js on node (tfjs-node), wasm or cpu
  --python P    the Python interpreter for the torch backend (else MODELSPEC_PYTHON,
                else the first python3 on PATH that imports torch, else /usr/bin/python3)
  --nproc N     train on N local processes with DistributedDataParallel (torch)
  --runs-dir D  where runs are stored (default .modelspec/runs next to the spec)
  --skip-memory-check
                train even when the estimated training memory is above what this
                machine has available (refused otherwise, with what to change)
  --to T        export target: pytorch (neural models) or sklearn (classical ones)
  --out DIR     export folder (default: ./NAME-pytorch or ./NAME-sklearn)
  -h, --help    show this help
  -v, --version show the version`;

export async function main(argv: readonly string[], output: Output): Promise<number> {
  // The one boundary every command writes through: text from files (CSV labels and header
  // names, strings in the spec, paths) never reaches the terminal with its control characters.
  const io = terminalSafeOutput(output);
  try {
    return await dispatch(argv, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`modelspec: ${err.message}`);
      return EXIT.usage;
    }
    if (err instanceof TrainBlocked || err instanceof TrainFailed) {
      io.err(`modelspec: ${err.message}`);
      return EXIT.findings;
    }
    if (err instanceof TrainStopped) {
      io.err(`modelspec: ${err.message}`);
      return exitCodeOf(err.status, err.signal);
    }
    throw err;
  }
}

async function dispatch(argv: readonly string[], io: Output): Promise<number> {
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
      const { values, positionals } = parse(rest, { json: { type: 'boolean' }, model: { type: 'string' }, backend: { type: 'string' }, python: { type: 'string' } });
      if (positionals.length !== 1) throw new UsageError('estimate needs exactly one FILE');
      // --backend is checked as training checks it: it names the engine that will train.
      const { backend, python } = trainFlags(values);
      return runEstimate({ file: positionals[0], model: values.model as string | undefined, json: values.json === true, backend, python }, host, io);
    }
    case 'train': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' }, model: { type: 'string' }, ...TRAIN_OPTIONS });
      if (positionals.length !== 1) throw new UsageError('train needs exactly one FILE');
      if (typeof values.model !== 'string') throw new UsageError('train needs --model NAME');
      return runTrain({ file: positionals[0], model: values.model, ...trainFlags(values), json: values.json === true, tty: process.stderr.isTTY === true }, host, io);
    }
    case 'export': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' }, model: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } });
      if (positionals.length !== 1) throw new UsageError('export needs exactly one FILE');
      const to = values.to;
      if (to !== undefined && to !== 'pytorch' && to !== 'sklearn') throw new UsageError(`--to must be pytorch or sklearn, not '${String(to)}'`);
      return runExport({ file: positionals[0], model: values.model as string | undefined, to, out: values.out as string | undefined, json: values.json === true, version: VERSION }, host, io);
    }
    case 'compare': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' }, ...TRAIN_OPTIONS });
      if (positionals.length !== 1) throw new UsageError('compare needs exactly one FILE');
      return runCompare({ file: positionals[0], ...trainFlags(values), json: values.json === true, tty: process.stderr.isTTY === true }, host, io);
    }
    default:
      throw new UsageError(`unknown command '${command}'\n\n${USAGE}`);
  }
}

const TRAIN_OPTIONS = { epochs: { type: 'string' }, backend: { type: 'string' }, python: { type: 'string' }, nproc: { type: 'string' }, 'skip-memory-check': { type: 'boolean' }, 'runs-dir': { type: 'string' } } as const;

function trainFlags(values: Record<string, unknown>): TrainFlags {
  const epochs = positiveInteger(values.epochs, '--epochs');
  const nproc = positiveInteger(values.nproc, '--nproc');
  const backend = values.backend;
  if (backend !== undefined && !BACKEND_PREFERENCES.includes(backend as BackendPreference)) {
    throw new UsageError(`--backend must be ${BACKEND_PREFERENCES.join(', ')}, not '${String(backend)}'`);
  }
  if (nproc !== undefined && nproc > 1 && backend !== undefined && backend !== 'torch' && backend !== 'auto') {
    throw new UsageError(`--nproc ${nproc} trains with PyTorch's DistributedDataParallel: use --backend torch, not ${String(backend)}`);
  }
  return { epochs, backend: backend as BackendPreference | undefined, python: values.python as string | undefined, nproc, skipMemoryCheck: values['skip-memory-check'] === true, runsDir: values['runs-dir'] as string | undefined };
}

function positiveInteger(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} needs a whole number of at least 1, not '${String(value)}'`);
  return n;
}

function parse(args: string[], options: Record<string, { type: 'boolean' | 'string' }>) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}


if (require.main === module) {
  // A CLI run is one cold pass over its input. With inlining, TurboFan's compiles of the
  // parser and checker grow so large (60-90 ms each on two cores) that optimised code
  // arrives when the work is nearly done; without it, it arrives early. Measured by
  // bench/check-large.ts. Warm code is slower without inlining, so the long-lived
  // language server keeps it; training runs in its own process and keeps it too.
  setFlagsFromString('--no-turbo-inlining');
  main(process.argv.slice(2), {
    out: (t) => process.stdout.write(t + '\n'),
    err: (t) => process.stderr.write(t + '\n'),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`modelspec: internal error: ${terminalSafe((err as Error).stack ?? String(err))}\n`);
      process.exitCode = 70;
    },
  );
}
