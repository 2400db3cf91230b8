/**
 * Loaded with `--require` into the trainer process (dist/trainer.js) that
 * bench/train-throughput-torch.ts forks, to time the trainer's start without touching
 * Modelspec's code. It reports over the trainer's IPC channel, as `{ bench: ... }`
 * messages the trainer protocol ignores (they carry no `v`):
 *  - `process`: when the process started (performance.timeOrigin) and the preload ran;
 *  - `loaded`: the bundle finished loading (the main module's synchronous evaluation);
 *  - `exec`: each Python the trainer runs (the torch search's probes with `-c`, with
 *    their end and whether the interpreter had torch; then train.py, with its pid);
 * Times are wall-clock milliseconds (performance.timeOrigin + performance.now()), so they
 * compare with the bench's and Python's clocks.
 */
'use strict';
const Module = require('node:module');
const childProcess = require('node:child_process');

const now = () => performance.timeOrigin + performance.now();
const send = (m) => {
  if (process.connected && process.send) process.send({ bench: m.type, ...m });
};

send({ type: 'process', at: performance.timeOrigin, preloadAt: now() });

const load = Module._load;
Module._load = function (request, parent, isMain) {
  const result = load.apply(this, arguments);
  if (isMain) {
    Module._load = load;
    send({ type: 'loaded', at: now() });
  }
  return result;
};

const execFile = childProcess.execFile;
childProcess.execFile = function (file, args, options, callback) {
  const start = now();
  const list = Array.isArray(args) ? args : [];
  const i = Array.prototype.findLastIndex.call(arguments, (a) => typeof a === 'function');
  if (i < 0 || list[0] !== '-c') return execFile.apply(this, arguments);
  const done = arguments[i];
  const wrapped = Array.prototype.slice.call(arguments);
  wrapped[i] = function (error, stdout) {
    send({ type: 'exec', kind: 'probe', file: String(file), start, end: now(), ok: !error, torch: /"torch":/.test(String(stdout)) });
    return done.apply(this, arguments);
  };
  return execFile.apply(this, wrapped);
};

const spawn = childProcess.spawn;
childProcess.spawn = function (file, args) {
  const start = now();
  const child = spawn.apply(this, arguments);
  if (Array.isArray(args) && args.includes('train.py')) send({ type: 'exec', kind: 'train.py', file: String(file), start, pid: child.pid });
  return child;
};
