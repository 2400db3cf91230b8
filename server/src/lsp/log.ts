import { ResponseError, type RemoteConsole } from 'vscode-languageserver/node';

/**
 * Logging to the client's output channel (window/logMessage through connection.console),
 * never to stdout, which carries the protocol when the server runs with --stdio.
 */
export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, err?: unknown): void;
}

export function createLog(console: RemoteConsole): Log {
  return {
    info: (m) => console.info(m),
    warn: (m) => console.warn(m),
    error: (m, err) => console.error(err === undefined ? m : `${m}: ${describeError(err)}`),
  };
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}

/**
 * Makes a request handler total: whatever it throws is logged and answered with the
 * neutral `fallback`, so one bad input costs one empty answer, never the server.
 * ResponseErrors are deliberate answers (a refused rename, training not available) and
 * pass through.
 */
export function guard<P, R, T extends unknown[]>(log: Log, name: string, fallback: R, handler: (params: P, ...rest: T) => R | Promise<R>) {
  return async (params: P, ...rest: T): Promise<R> => {
    try {
      return await handler(params, ...rest);
    } catch (err) {
      if (err instanceof ResponseError) throw err;
      log.error(`${name} failed`, err);
      return fallback;
    }
  };
}
