import type { RunEpoch, RunView } from '../../../server/src/lsp/protocol';
import type { TradeOff } from '../../../server/src/training/report';
import { base, type Option, type Theme } from './charts';

/**
 * The ECharts options of the panel's charts, as pure functions of the data and the
 * theme (tests build them in Node; the SVG export renders them without a page).
 */
export function lossOption(history: readonly RunEpoch[], theme: Theme): Option {
  const b = base(theme);
  const series = [line('train loss', history.map((e) => [e.epoch, e.loss]))];
  if (history.some((e) => e.valLoss !== undefined)) series.push(line('validation loss', history.flatMap((e) => (e.valLoss === undefined ? [] : [[e.epoch, e.valLoss]]))));
  return {
    ...b,
    xAxis: { ...axis(b.xAxis), type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 24, minInterval: 1, min: 1 },
    yAxis: { ...axis(b.yAxis), type: 'value', name: 'loss', scale: true },
    series,
  };
}

export function accuracyOption(history: readonly RunEpoch[], theme: Theme): Option {
  const b = base(theme);
  const series = [];
  if (history.some((e) => e.accuracy !== undefined)) series.push(line('train accuracy', history.flatMap((e) => (e.accuracy === undefined ? [] : [[e.epoch, e.accuracy * 100]]))));
  if (history.some((e) => e.valAccuracy !== undefined)) series.push(line('validation accuracy', history.flatMap((e) => (e.valAccuracy === undefined ? [] : [[e.epoch, e.valAccuracy * 100]]))));
  return {
    ...b,
    xAxis: { ...axis(b.xAxis), type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 24, minInterval: 1, min: 1 },
    yAxis: { ...axis(b.yAxis), type: 'value', name: 'accuracy %', max: 100, scale: true },
    series,
  };
}

/** Rows: true class; columns: predicted class. The diagonal is what the model got right. */
export function confusionOption(labels: readonly string[], confusion: readonly (readonly number[])[], theme: Theme): Option {
  const b = base(theme);
  const data: [number, number, number][] = [];
  let max = 0;
  confusion.forEach((row, t) =>
    row.forEach((v, p) => {
      data.push([p, t, v]);
      max = Math.max(max, v);
    }),
  );
  return {
    ...b,
    legend: undefined,
    grid: { left: 80, right: 16, top: 16, bottom: 56 },
    xAxis: { ...axis(b.xAxis), type: 'category', data: [...labels], name: 'predicted', nameLocation: 'middle', nameGap: 36, splitArea: { show: false } },
    yAxis: { ...axis(b.yAxis), type: 'category', data: [...labels], name: 'true', inverse: true },
    visualMap: { min: 0, max: Math.max(1, max), show: false, inRange: { color: [theme.background, theme.series[0]] } },
    series: [{ type: 'heatmap', data, label: { show: true, color: theme.foreground }, emphasis: { itemStyle: { borderColor: theme.foreground, borderWidth: 1 } } }],
  };
}

export interface ScatterPoint {
  readonly name: string;
  readonly kind: 'neural' | 'classical';
  readonly x: number;
  readonly accuracy: number;
}

/**
 * Accuracy against a cost (params, training time) on a log axis, neural and classical
 * models in two colours, the models worth considering (the accuracy/params frontier)
 * joined by a dashed line and the recommended pick drawn larger.
 */
export function scatterOption(points: readonly ScatterPoint[], xName: string, frontier: ReadonlySet<string>, pick: string | undefined, theme: Theme, formatX: (v: number) => string): Option {
  const b = base(theme);
  const kinds: ('neural' | 'classical')[] = ['neural', 'classical'];
  const front = points.filter((p) => frontier.has(p.name)).sort((a, c) => a.x - c.x);
  return {
    ...b,
    grid: { left: 56, right: 24, top: 32, bottom: 44 },
    xAxis: { ...axis(b.xAxis), type: 'log', name: xName, nameLocation: 'middle', nameGap: 26, axisLabel: { color: theme.foreground, formatter: formatX } },
    yAxis: { ...axis(b.yAxis), type: 'value', name: 'accuracy %', scale: true },
    series: [
      ...kinds.map((kind, i) => ({
        type: 'scatter',
        name: kind === 'neural' ? 'neural (large)' : 'classical (small)',
        color: theme.series[i],
        data: points
          .filter((p) => p.kind === kind)
          .map((p) => ({ name: p.name, value: [Math.max(p.x, 1e-3), p.accuracy * 100], symbolSize: p.name === pick ? 18 : 10 })),
        label: { show: true, position: 'top', formatter: (p: { name: string }) => (p.name === pick ? `${p.name} ★` : p.name), color: theme.foreground },
      })),
      {
        type: 'line',
        name: 'frontier',
        data: front.map((p) => [Math.max(p.x, 1e-3), p.accuracy * 100]),
        lineStyle: { type: 'dashed', color: theme.muted },
        symbol: 'none',
        silent: true,
        z: 1,
      },
    ],
  };
}

export function scatterPoints(runs: readonly RunView[], x: (r: RunView) => number): ScatterPoint[] {
  return runs.flatMap((r) => (r.result && r.kind ? [{ name: r.model, kind: r.kind, x: x(r), accuracy: r.result.metrics.accuracy }] : []));
}

export function frontierNames(t: TradeOff<{ model: string }> | undefined): Set<string> {
  return new Set(t ? t.frontier.map((r) => r.model) : []);
}

function line(name: string, data: number[][]) {
  return { type: 'line', name, data, showSymbol: data.length <= 30, smooth: false };
}

function axis(a: unknown): Record<string, unknown> {
  return (a ?? {}) as Record<string, unknown>;
}
