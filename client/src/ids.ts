/**
 * Identifiers the extension shares with package.json (`contributes`). Kept free of
 * `vscode` imports so tests can check the manifest against them.
 */

/** Commands the extension registers itself (palette, editor title, code lens, results view). */
export const CLIENT_COMMANDS = {
  train: 'modelspec.train',
  compare: 'modelspec.compare',
  showEstimate: 'modelspec.showEstimate',
  restartServer: 'modelspec.restartServer',
  showRuns: 'modelspec.showRuns',
} as const;

export const LANGUAGE_ID = 'modelspec';
export const VIEW_CONTAINER_ID = 'modelspec';
export const RESULTS_VIEW_ID = 'modelspec.results';
export const RUNS_VIEW_ID = 'modelspec.runs';
export const OUTPUT_CHANNEL_NAME = 'Modelspec';

/** `contextValue` of a model row in the Results view; package.json menus match `viewItem == model`. */
export const MODEL_ITEM_CONTEXT = 'model';

/** URI scheme of the read-only documents that show estimates and command results. */
export const RESULT_SCHEME = 'modelspec-result';
