// The Python the export tests run generated code with: found the way Modelspec's torch
// backend finds it (the setting, MODELSPEC_PYTHON, the first python3 on PATH that imports
// torch, then /usr/bin/python3), so a pyenv or virtualenv python3 without torch first on
// PATH does not fail the tests. No Python with torch is a failure, not a skip.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { findTorchPython, notFoundMessage } from '../../server/src/training/torch/python';

let found: Promise<string> | undefined;

/** The interpreter that imports torch; rejects with what was tried when there is none. */
export function torchPython(): Promise<string> {
  found ??= findTorchPython().then((search) => {
    if (!search.found) throw new Error(`The export tests run the generated Python with PyTorch. ${notFoundMessage(search)}`);
    return search.found.python;
  });
  return found;
}

export interface PythonRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs `python args...` without a shell; resolves with its exit status and output (never rejects on a failed run). */
export function runPython(python: string, args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<PythonRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      python,
      [...args],
      {
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
        // Quiet library warnings, and keep __pycache__ out of the projects under test.
        env: { ...process.env, PYTHONWARNINGS: 'ignore', PYTHONDONTWRITEBYTECODE: '1' },
      },
      (error, stdout, stderr) => {
        const status = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : null) : 0;
        resolve({ status, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}

/** Runs `tasks` with at most `limit` at a time (this machine has two cores), keeping their order. */
export async function limited<T>(limit: number, tasks: readonly (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** A version-1 .npy file of little-endian int64 or float32/float64 values, as numbers. */
export function readNpy(path: string): { shape: number[]; values: number[] } {
  const bytes = readFileSync(path);
  if (bytes.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${path} is not a .npy file`);
  const major = bytes[6];
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLength;
  const header = bytes.toString('latin1', major === 1 ? 10 : 12, start);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${path}: Fortran order is not read here`);
  const data = bytes.subarray(start);
  const values: number[] = [];
  if (descr === '<i8') for (let i = 0; i < data.length; i += 8) values.push(Number(data.readBigInt64LE(i)));
  else if (descr === '<f4') for (let i = 0; i < data.length; i += 4) values.push(data.readFloatLE(i));
  else if (descr === '<f8') for (let i = 0; i < data.length; i += 8) values.push(data.readDoubleLE(i));
  else throw new Error(`${path}: dtype ${descr} is not read here`);
  return { shape, values };
}
