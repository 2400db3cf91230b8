declare const __VERSION__: string | undefined;

/** package.json's version, which the build writes into every bundle; `dev` when run from the sources. */
export const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';
