// Long-line benchmark (issue 14): analysis of one huge line must grow linearly with its
// length, whatever the line holds: surplus arguments, a name, commas, a string. Prints CPU
// milliseconds per shape and size and the fitted growth exponent; exits 1 when one is
// clearly superlinear. Run with `node --import tsx bench/long-lines.ts`.
import { analyze } from '../server/src/analysis/analyze';
import type { AnalysisHost } from '../server/src/analysis/host';

const HOST: AnalysisHost = { dataTable: () => undefined, listDir: () => [] };
const SIZES = [250_000, 500_000, 1_000_000, 2_000_000];
const MAX_EXPONENT = 1.3;
/** Below this the largest size is too quick for its growth to mean anything (timer and GC noise). */
const MEASURABLE_MS = 100;

const SHAPES: Record<string, (bytes: number) => string> = {
  arguments: (bytes) => `dense(${Array(Math.ceil(bytes / 3)).fill('1').join(', ')})`,
  name: (bytes) => 'x'.repeat(bytes),
  commas: (bytes) => `dense(${','.repeat(bytes)})`,
  string: (bytes) => `dense("${'s'.repeat(bytes)}")`,
};

/** CPU time rather than wall time: the machine may be shared. The best of three runs. */
function cpuMs(text: string): { ms: number; diagnostics: number } {
  let best = Infinity;
  let diagnostics = 0;
  for (let run = 0; run < 3; run++) {
    const start = process.cpuUsage();
    diagnostics = analyze(text, { file: '/bench/long.model', host: HOST }).diagnostics.length;
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return { ms: best, diagnostics };
}

let failed = false;
for (const [shape, make] of Object.entries(SHAPES)) {
  const points = SIZES.map((bytes) => {
    const { ms, diagnostics } = cpuMs(`model M {\n  input: [4]\n  ${make(bytes)}\n}\n`);
    console.log(`${shape.padEnd(10)} ${String(bytes).padStart(9)} bytes ${ms.toFixed(0).padStart(6)} ms CPU, ${diagnostics} diagnostics`);
    return { bytes, ms: Math.max(ms, 1) };
  });
  // Least-squares slope of log(time) against log(size).
  const xs = points.map((p) => Math.log(p.bytes));
  const ys = points.map((p) => Math.log(p.ms));
  const mx = xs.reduce((a, b) => a + b) / xs.length;
  const my = ys.reduce((a, b) => a + b) / ys.length;
  const exponent = xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  const measurable = points[points.length - 1].ms >= MEASURABLE_MS;
  const ok = exponent <= MAX_EXPONENT || !measurable;
  if (!ok) failed = true;
  const verdict = !measurable ? ` (under ${MEASURABLE_MS} ms at 2 MB: too quick to judge)` : ok ? '' : ` (above ${MAX_EXPONENT}: superlinear)`;
  console.log(`${shape}: time grows as size^${exponent.toFixed(2)}${verdict}`);
}
process.exit(failed ? 1 : 0);
