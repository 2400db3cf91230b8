/**
 * Messages between the runs panel's webview and the extension. Types only: the webview
 * bundle (browser) and the extension (Node) both import this file.
 */
import type { ComparisonView, RunView } from '../../server/src/lsp/protocol';

export type Page = { readonly kind: 'list' } | { readonly kind: 'run'; readonly key: string } | { readonly kind: 'compare'; readonly id: string };

export type ToWebview =
  | { readonly type: 'state'; readonly runs: readonly RunView[]; readonly comparisons: readonly ComparisonView[]; readonly message?: string }
  | { readonly type: 'run'; readonly run: RunView }
  | { readonly type: 'comparison'; readonly comparison: ComparisonView }
  | { readonly type: 'navigate'; readonly page: Page };

export type FromWebview =
  | { readonly type: 'ready' }
  | { readonly type: 'open-spec'; readonly key: string }
  | { readonly type: 'open-folder'; readonly key: string }
  /** A chart as PNG (base64 of the bytes) or SVG (the text); `name` is a file name without extension. */
  | { readonly type: 'save'; readonly format: 'png' | 'svg'; readonly name: string; readonly data: string }
  | { readonly type: 'copy'; readonly text: string; readonly what: string };
