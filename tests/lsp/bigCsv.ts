import { closeSync, openSync, writeSync } from 'node:fs';

const MB = 1024 * 1024;

/** Writes about `megabytes` MB of a 9-column numeric CSV (3 classes) in large blocks (a gigabyte in well under a second); returns its data rows. */
export function writeBigCsv(path: string, megabytes: number): number {
  const lines: string[] = [];
  for (let i = 0; i < 20_000; i++) lines.push(`${(i % 97) / 7},${(i * 13) % 101},${i % 11},${((i * 7) % 23) / 3},${i % 5},${(i * 3) % 17},${i % 31},${(i % 13) * 0.25},${i % 3}`);
  const block = Buffer.from(lines.join('\n') + '\n');
  const fd = openSync(path, 'w');
  let rows = 0;
  try {
    writeSync(fd, 'a,b,c,d,e,f,g,h,label\n');
    for (let written = 0; written < megabytes * MB; written += block.length) {
      writeSync(fd, block);
      rows += lines.length;
    }
  } finally {
    closeSync(fd);
  }
  return rows;
}

/** A spec with one dataset `Big` read from `source` and a small network on it. */
export const bigSpec = (source: string): string => `dataset Big {\n  source: "${source}"\n}\n\nmodel M {\n  data: Big\n  dense(16, activation: relu)\n  dense(3, activation: softmax)\n}\n`;
