import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { analyze } from '../analysis/analyze';
import type { Analysis } from '../analysis/model';
import type { AnalysisHost } from '../analysis/host';

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, findings: 1, usage: 2, cancelled: 130 } as const;

export class UsageError extends Error {}

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** Reads and analyses one file; I/O problems become UsageError (exit 2) with the path in the message. */
export function analyzeFile(path: string, host: AnalysisHost): Analysis {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `${path}: no such file` : code === 'EISDIR' ? `${path}: is a directory, not a .model file` : `${path}: ${(err as Error).message}`);
  }
  return analyze(text, { file: resolve(path), host });
}
