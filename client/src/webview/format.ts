import { formatBytes, formatDuration, formatSI, withSeparators } from '../../../server/src/util/format';
import type { RunStatus } from '../../../server/src/lsp/protocol';

export { formatBytes, formatDuration, formatSI, withSeparators };
export { percent } from '../../../server/src/training/report';

export const ms = (v: number) => formatDuration(v / 1000);
export const int = (v: number | string) => withSeparators(BigInt(v));
export const bytes = (v: number | string) => formatBytes(BigInt(v));
export const si = (v: number | string, unit = '') => formatSI(BigInt(v), unit);

export const STATUS_TEXT: Record<RunStatus, string> = {
  queued: 'queued',
  running: 'running',
  completed: 'completed',
  'stopped-early': 'stopped early',
  cancelled: 'cancelled',
  failed: 'failed',
  interrupted: 'interrupted',
};

/** "3 min ago", "yesterday", or the date: how long ago a run started. */
export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '';
  const s = Math.max(0, (now - t) / 1000);
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  if (s < 2 * 86400) return 'yesterday';
  return new Date(t).toISOString().slice(0, 10);
}
