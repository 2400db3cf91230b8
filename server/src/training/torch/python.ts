import { execFile } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { writeJson } from '../runs';

/**
 * Finds the Python that trains with PyTorch: the interpreter the user named (the setting
 * `modelspec.training.python` or `--python`), else `MODELSPEC_PYTHON`, else the first
 * `python3` on PATH that imports torch, else Debian's system `/usr/bin/python3`. An
 * interpreter is asked, never judged by its name: the first `python3` on PATH is often a
 * virtualenv or pyenv one without torch.
 *
 * Importing torch takes 1–3 s, so answers are cached (in the user's cache folder) and
 * reused while the interpreter and what the answer depends on do not change.
 */
export interface TorchPython {
  /** The interpreter as found (a path or a command on PATH). */
  readonly python: string;
  readonly pythonVersion: string;
  readonly torch: string;
  /** CUDA devices torch sees, by name; empty on a CPU-only machine. */
  readonly cuda: readonly string[];
}

export interface PythonSearch {
  readonly found?: TorchPython;
  /** Every interpreter asked, with why it was not taken. */
  readonly tried: readonly { readonly python: string; readonly why: string }[];
  /** Where the interpreter came from: the setting, the environment, or the search. */
  readonly how: 'configured' | 'environment' | 'search';
}

const SYSTEM_PYTHON = '/usr/bin/python3';
const PROBE_TIMEOUT_MS = 60_000;

const PROBE = `
import json, site, sys
info = {"python": sys.version.split()[0]}
try:
    import torch
except Exception as error:
    info["error"] = f"{type(error).__name__}: {error}"
    user = site.getusersitepackages() if site.ENABLE_USER_SITE else None
    info["searched"] = sorted({p for p in sys.path if p and not p.endswith(".zip")} | ({user} if user else set()))
else:
    info["torch"] = torch.__version__
    info["torchFile"] = torch.__file__
    info["cuda"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())] if torch.cuda.is_available() else []
print(json.dumps(info))
`;

interface ProbeAnswer {
  readonly python?: string;
  readonly torch?: string;
  readonly torchFile?: string;
  readonly cuda?: string[];
  readonly error?: string;
  /** Where a Python without torch looked for packages. */
  readonly searched?: string[];
}

export async function findTorchPython(configured?: string, env: NodeJS.ProcessEnv = process.env): Promise<PythonSearch> {
  const tried: { python: string; why: string }[] = [];
  const ask = async (python: string): Promise<TorchPython | undefined> => {
    const answer = await probe(python, env);
    if ('why' in answer) tried.push({ python, why: answer.why });
    else return answer;
    return undefined;
  };
  if (configured?.trim()) return { found: await ask(configured.trim()), tried, how: 'configured' };
  if (env.MODELSPEC_PYTHON?.trim()) return { found: await ask(env.MODELSPEC_PYTHON.trim()), tried, how: 'environment' };
  const seen = new Set<string>();
  for (const python of [...onPath('python3', env), SYSTEM_PYTHON]) {
    const real = interpreterPath(python, env);
    if (real === undefined || seen.has(real)) continue;
    seen.add(real);
    const found = await ask(python);
    if (found) return { found, tried, how: 'search' };
  }
  if (tried.length === 0) tried.push({ python: 'python3', why: 'no python3 on PATH, and no /usr/bin/python3' });
  return { tried, how: 'search' };
}

/** What to tell a user whose search found nothing: what was asked, and how to point Modelspec at an interpreter. */
export function notFoundMessage(search: PythonSearch): string {
  const asked = search.tried.map((t) => `${t.python} (${t.why})`).join('; ');
  const source = search.how === 'configured' ? 'The configured interpreter' : search.how === 'environment' ? 'MODELSPEC_PYTHON' : 'No Python with PyTorch was found';
  return (
    `${source} cannot train with PyTorch: ${asked}. ` +
    'Install PyTorch for that Python (pip install torch, or on Debian/Ubuntu apt install python3-torch), or name an interpreter that has it: ' +
    'the setting modelspec.training.python, --python PATH, or the environment variable MODELSPEC_PYTHON.'
  );
}

function onPath(command: string, env: NodeJS.ProcessEnv): string[] {
  return (env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, command));
}

/**
 * Where an interpreter name points: a path, or a command looked up on PATH, with its folder's
 * symbolic links resolved (Debian's /bin is /usr/bin) but not the file's own: a virtual
 * environment's python is a link to the system's binary, yet another Python, with other
 * packages.
 */
function interpreterPath(python: string, env: NodeJS.ProcessEnv): string | undefined {
  const candidates = python.includes('/') ? [resolve(python)] : onPath(python, env);
  for (const path of candidates) {
    try {
      if (statSync(path).isFile()) return join(realpathSync(dirname(path)), basename(path));
    } catch {
      // not there: the next folder on PATH
    }
  }
  return undefined;
}

async function probe(python: string, env: NodeJS.ProcessEnv): Promise<TorchPython | { why: string }> {
  const cached = readCache(python, env);
  if (cached) return cached;
  const answer = await new Promise<ProbeAnswer | { why: string }>((resolve) => {
    execFile(python, ['-c', PROBE], { timeout: PROBE_TIMEOUT_MS, env: { ...env, PYTHONWARNINGS: 'ignore' }, encoding: 'utf8' }, (error, stdout) => {
      if (error && !stdout) {
        const e = error as NodeJS.ErrnoException & { killed?: boolean };
        resolve({ why: e.code === 'ENOENT' ? 'not found' : e.killed ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s` : e.message.split('\n')[0] });
        return;
      }
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as ProbeAnswer);
      } catch {
        resolve({ why: `not a Python that answers (${stdout.trim().slice(0, 80) || 'no output'})` });
      }
    });
  });
  if ('why' in answer) return answer;
  if (!answer.torch) {
    const refused = { why: `Python ${answer.python ?? '?'} cannot import torch: ${answer.error ?? 'unknown error'}` };
    writeCache(python, answer.searched ?? [], refused, env);
    return refused;
  }
  const found: TorchPython = { python, pythonVersion: answer.python ?? '?', torch: answer.torch, cuda: answer.cuda ?? [] };
  writeCache(python, answer.torchFile ? [answer.torchFile] : [], found, env);
  return found;
}

// --- The cache of answers, keyed by where the interpreter is (interpreterPath).

/**
 * An answer stays good while the interpreter and the files it depends on keep their
 * modification times: torch's own __init__.py for a yes; for a no, the folders Python
 * looks for packages in (installing torch adds a folder to one of them, or creates the
 * user's site folder). A script (a pyenv shim) is never cached: which Python it runs can
 * change without the script changing.
 */
interface CacheEntry {
  readonly real: string;
  readonly pythonMtime: number;
  readonly watched: readonly { readonly path: string; readonly mtime: number | null }[];
  readonly answer: TorchPython | { readonly why: string };
}

function cacheFile(env: NodeJS.ProcessEnv): string {
  const base = env.MODELSPEC_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'modelspec');
  return join(base, 'torch-python.json');
}

function readCacheEntries(env: NodeJS.ProcessEnv): CacheEntry[] {
  try {
    const entries = JSON.parse(readFileSync(cacheFile(env), 'utf8')) as unknown;
    return Array.isArray(entries) ? (entries as CacheEntry[]).filter((e) => Array.isArray(e?.watched) && e.answer) : [];
  } catch {
    return [];
  }
}

function mtime(path: string): number | null {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

function isScript(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(2);
    readSync(fd, head, 0, 2, 0);
    return head.toString('latin1') === '#!';
  } catch {
    return true;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function readCache(python: string, env: NodeJS.ProcessEnv): TorchPython | { why: string } | undefined {
  const real = interpreterPath(python, env);
  if (!real) return undefined;
  const entry = readCacheEntries(env).find((e) => e.real === real);
  if (!entry || entry.pythonMtime !== mtime(real) || entry.watched.some((w) => w.mtime !== mtime(w.path))) return undefined;
  return 'why' in entry.answer ? entry.answer : { ...entry.answer, python };
}

function writeCache(python: string, watched: readonly string[], answer: CacheEntry['answer'], env: NodeJS.ProcessEnv): void {
  const real = interpreterPath(python, env);
  const pythonMtime = real ? mtime(real) : null;
  if (!real || pythonMtime === null || watched.length === 0 || isScript(real)) return;
  const entries = readCacheEntries(env).filter((e) => e.real !== real);
  const entry: CacheEntry = { real, pythonMtime, watched: watched.map((path) => ({ path, mtime: mtime(path) })), answer };
  try {
    mkdirSync(dirname(cacheFile(env)), { recursive: true });
    writeJson(cacheFile(env), [...entries, entry]);
  } catch {
    // A read-only home only costs the next search a probe.
  }
}
