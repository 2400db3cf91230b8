/**
 * NumPy's .npy format (version 1.0): a magic string, a header that is a Python dict
 * literal (dtype, order, shape) padded with spaces to a multiple of 64 bytes, then the
 * raw little-endian array. `numpy.load` reads it without any other package.
 */
export type NpyArray = Float32Array | Int32Array | BigInt64Array;

const DESCR: Readonly<Record<string, string>> = { Float32Array: '<f4', Int32Array: '<i4', BigInt64Array: '<i8' };

export function npyBytes(data: NpyArray, shape: readonly number[]): Uint8Array {
  const size = shape.reduce((p, d) => p * d, 1);
  if (size !== data.length) throw new Error(`An array of ${data.length} values cannot have the shape [${shape.join(', ')}].`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  const dict = `{'descr': '${DESCR[data.constructor.name]}', 'fortran_order': False, 'shape': (${dims}), }`;
  const prefix = 10;
  const padded = Math.ceil((prefix + dict.length + 1) / 64) * 64 - prefix;
  const header = dict.padEnd(padded - 1, ' ') + '\n';
  const out = new Uint8Array(prefix + padded + data.byteLength);
  out.set([0x93, ...Buffer.from('NUMPY'), 1, 0], 0);
  new DataView(out.buffer).setUint16(8, padded, true);
  out.set(Buffer.from(header, 'latin1'), prefix);
  // Typed arrays are in the platform's byte order; every platform Node runs on is little-endian.
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), prefix + padded);
  return out;
}

/** Class indices as int64, the dtype PyTorch's losses take for targets. */
export function int64(values: ArrayLike<number>): BigInt64Array {
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = BigInt(values[i]);
  return out;
}

/** Reads an .npy file of little-endian integers or floats (what train.py writes), as numbers. */
export function readNpy(bytes: Uint8Array): { shape: number[]; values: number[] } {
  const magic = Buffer.from(bytes.subarray(0, 6)).toString('latin1');
  if (magic !== '\x93NUMPY') throw new Error('not an .npy file');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = Buffer.from(bytes.subarray(start, start + headerLength)).toString('latin1');
  const descr = /'descr':\s*'([<|>]?)([a-z])(\d+)'/.exec(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !shapeText || /'fortran_order':\s*True/.test(header)) throw new Error(`unsupported .npy header ${header.trim()}`);
  if (descr[1] === '>') throw new Error('big-endian .npy arrays are not supported');
  const shape = shapeText[1].split(',').map((d) => d.trim()).filter(Boolean).map(Number);
  const count = shape.reduce((p, d) => p * d, 1);
  const size = Number(descr[3]);
  const offset = start + headerLength;
  const read: Record<string, (at: number) => number> = {
    i8: (at) => Number(view.getBigInt64(at, true)),
    i4: (at) => view.getInt32(at, true),
    f4: (at) => view.getFloat32(at, true),
    f8: (at) => view.getFloat64(at, true),
  };
  const get = read[`${descr[2]}${size}`];
  if (!get) throw new Error(`unsupported .npy dtype ${descr[0]}`);
  return { shape, values: Array.from({ length: count }, (_, i) => get(offset + i * size)) };
}
