// Draws the extension icon (128×128 PNG): three stacked layer bars narrowing into an
// output node, on a dark rounded square. Pure Node (zlib), so it needs no image tools.
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';

const N = 128;
const px = new Uint8Array(N * N * 4);
const set = (x, y, [r, g, b, a]) => {
  const i = (y * N + x) * 4;
  px.set([r, g, b, a], i);
};
const inRounded = (x, y, r) => {
  const cx = x < r ? r : x > N - 1 - r ? N - 1 - r : x;
  const cy = y < r ? r : y > N - 1 - r ? N - 1 - r : y;
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};
const bars = [
  { y: 26, h: 16, w: 88, c: [86, 156, 214, 255] },
  { y: 50, h: 16, w: 64, c: [78, 201, 176, 255] },
  { y: 74, h: 16, w: 40, c: [220, 220, 170, 255] },
];
for (let y = 0; y < N; y++) {
  for (let x = 0; x < N; x++) {
    let c = inRounded(x, y, 22) ? [30, 30, 36, 255] : [0, 0, 0, 0];
    for (const b of bars) if (y >= b.y && y < b.y + b.h && Math.abs(x - 63.5) < b.w / 2) c = b.c;
    if ((x - 63.5) ** 2 + (y - 104) ** 2 <= 49) c = [206, 145, 120, 255];
    set(x, y, c);
  }
}
const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) {
  raw[y * (N * 4 + 1)] = 0;
  Buffer.from(px.subarray(y * N * 4, (y + 1) * N * 4)).copy(raw, y * (N * 4 + 1) + 1);
}
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type), data]);
  const sum = Buffer.alloc(4);
  sum.writeUInt32BE(crc(body));
  return Buffer.concat([len, body, sum]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr.set([8, 6, 0, 0, 0], 8);
const png = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
writeFileSync(new URL('../images/icon.png', import.meta.url), png);
