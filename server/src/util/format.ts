/** Number formatting shared by every view: exact integers with separators, sizes in 1024 steps, counts in SI steps. */

export function withSeparators(n: bigint | number): string {
  const s = typeof n === 'bigint' ? n.toString() : Number.isInteger(n) ? BigInt(n).toString() : n.toString();
  const negative = s.startsWith('-');
  const digits = negative ? s.slice(1) : s;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return negative ? `-${grouped}` : grouped;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

/** Bytes in binary units with three significant figures: 1.5 KiB, 528 MiB. */
export function formatBytes(bytes: bigint): string {
  return scaled(bytes, 1024n, BYTE_UNITS, ' ');
}

const SI = ['', 'K', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];

/** Counts in SI units with the unit glued to the prefix, as the field writes them: 15.5 GFLOPs, 61.7 K params. */
export function formatSI(n: bigint, unit = ''): string {
  return `${scaled(n, 1000n, SI, ' ')}${unit}`.trimEnd();
}

function scaled(n: bigint, step: bigint, units: readonly string[], sep: string): string {
  if (n < 0n) return '-' + scaled(-n, step, units, sep);
  let unit = 0;
  let divisor = 1n;
  while (n >= divisor * step && unit < units.length - 1) {
    divisor *= step;
    unit++;
  }
  if (unit === 0) return `${n}${sep}${units[0]}`;
  // Three significant figures without going through a float for the integer part.
  const whole = n / divisor;
  const decimals = whole >= 100n ? 0 : whole >= 10n ? 1 : 2;
  const factor = 10n ** BigInt(decimals);
  const rounded = (n * factor + divisor / 2n) / divisor;
  // 999,999 rounds up to "1000 K": say "1.00 M" instead.
  if (rounded / factor >= step && unit < units.length - 1) return scaled(divisor * step, step, units, sep);
  const intPart = rounded / factor;
  const frac = rounded % factor;
  const text = decimals === 0 ? `${intPart}` : `${intPart}.${frac.toString().padStart(decimals, '0')}`;
  return `${text}${sep}${units[unit]}`;
}

/** Exact integers in JSON: numbers while safe, strings above 2^53. */
export function jsonInteger(n: bigint): number | string {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) && n >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(n) : n.toString();
}

/** Seconds as 850 ms, 12.3 s, 4 min 05 s, 3 h 10 min, 2.5 days, 3.1 years. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'unknown';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ${String(Math.round((seconds % 3600) / 60)).padStart(2, '0')} min`;
  if (seconds < 365 * 86400) return `${(seconds / 86400).toFixed(1)} days`;
  return `${(seconds / (365 * 86400)).toPrecision(3)} years`;
}
