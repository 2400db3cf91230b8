import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJson } from './runs';
import type { Calibration, RateKind } from './trainTime';

/**
 * The trainer's measurements of this machine, kept in the runs folder beside the runs they
 * came from, so the editor's estimate before a run uses the same figures as the estimate a
 * run reports. One entry per backend and kind; a newer measurement replaces an older one.
 */
export const CALIBRATION_FILE = 'calibration.json';

export interface StoredCalibration extends Calibration {
  /** ISO time of the measurement. */
  readonly measuredAt: string;
}

interface CalibrationFile {
  readonly version: 1;
  readonly calibrations: StoredCalibration[];
}

const KINDS: ReadonlySet<string> = new Set<RateKind>(['dense', 'conv', 'recurrent']);

export function saveCalibration(runsDir: string, calibration: Calibration, now = new Date()): void {
  const kept = loadCalibrations(runsDir).filter((c) => c.backend !== calibration.backend || c.kind !== calibration.kind);
  const file: CalibrationFile = { version: 1, calibrations: [...kept, { ...calibration, measuredAt: now.toISOString() }] };
  mkdirSync(runsDir, { recursive: true });
  writeJson(join(runsDir, CALIBRATION_FILE), file);
}

/** Every valid entry of the runs folder's file; none when it is missing or unreadable (it is only a cache). */
export function loadCalibrations(runsDir: string): StoredCalibration[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(runsDir, CALIBRATION_FILE), 'utf8'));
  } catch {
    return [];
  }
  const list = (parsed as Partial<CalibrationFile> | null)?.calibrations;
  return Array.isArray(list) ? list.filter(isStored) : [];
}

/** The newest measurement for `kind`, on whichever backend trained last. */
export function latestCalibration(calibrations: readonly StoredCalibration[], kind: RateKind): StoredCalibration | undefined {
  let best: StoredCalibration | undefined;
  for (const c of calibrations) if (c.kind === kind && (!best || c.measuredAt > best.measuredAt)) best = c;
  return best;
}

function isStored(c: unknown): c is StoredCalibration {
  const x = c as Partial<StoredCalibration> | null;
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof x.backend === 'string' &&
    typeof x.kind === 'string' &&
    KINDS.has(x.kind) &&
    positive(x.stepMs) &&
    positive(x.flopsPerSecond) &&
    typeof x.millis === 'number' &&
    typeof x.measuredAt === 'string' &&
    !Number.isNaN(Date.parse(x.measuredAt))
  );
}

function positive(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0;
}
