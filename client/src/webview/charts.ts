import { HeatmapChart, LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';
import { h } from './dom';

echarts.use([LineChart, ScatterChart, HeatmapChart, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent, CanvasRenderer, SVGRenderer]);

export type Option = echarts.EChartsCoreOption;

/** Colours and font from VS Code's theme variables, so light, dark and high-contrast themes all read. */
export interface Theme {
  readonly foreground: string;
  readonly muted: string;
  readonly background: string;
  readonly grid: string;
  readonly font: string;
  readonly series: readonly string[];
  readonly highContrast: boolean;
}

export function currentTheme(): Theme {
  const css = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const highContrast = document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light');
  return {
    foreground: v('--vscode-foreground', '#cccccc'),
    muted: v('--vscode-descriptionForeground', '#999999'),
    background: v('--vscode-sideBar-background', v('--vscode-editor-background', '#1e1e1e')),
    grid: v('--vscode-editorWidget-border', v('--vscode-panel-border', '#80808040')),
    font: v('--vscode-font-family', 'sans-serif'),
    series: [
      v('--vscode-charts-blue', '#3794ff'),
      v('--vscode-charts-orange', '#d18616'),
      v('--vscode-charts-green', '#89d185'),
      v('--vscode-charts-purple', '#b180d7'),
      v('--vscode-charts-red', '#f14c4c'),
      v('--vscode-charts-yellow', '#cca700'),
    ],
    highContrast,
  };
}

/** The parts of an option every chart shares: text, axes and tooltips in theme colours. */
export function base(theme: Theme): Option {
  const axis = {
    axisLine: { lineStyle: { color: theme.muted } },
    axisLabel: { color: theme.foreground },
    splitLine: { lineStyle: { color: theme.grid, type: 'dashed' } },
    nameTextStyle: { color: theme.muted },
  };
  return {
    animation: false,
    color: [...theme.series],
    textStyle: { color: theme.foreground, fontFamily: theme.font },
    // Rich-text tooltips are drawn, not parsed as HTML: a model name can never become markup.
    tooltip: { renderMode: 'richText', backgroundColor: theme.background, borderColor: theme.grid, textStyle: { color: theme.foreground } },
    legend: { textStyle: { color: theme.foreground }, top: 0 },
    grid: { left: 56, right: 16, top: 32, bottom: 40, containLabel: false },
    xAxis: axis,
    yAxis: axis,
  };
}

export type Post = (message: { type: 'save'; format: 'png' | 'svg'; name: string; data: string }) => void;

interface Live {
  readonly chart: echarts.EChartsType;
  readonly option: (t: Theme) => Option;
  readonly el: HTMLElement;
  readonly observer: ResizeObserver;
}

/**
 * Charts on the current page. A page re-render disposes them; a theme change redraws them
 * with the new colours.
 */
export class Charts {
  private live: Live[] = [];

  constructor(private readonly post: Post) {
    new MutationObserver(() => this.retheme()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  /**
   * A titled chart with Save as PNG / SVG. The chart is drawn once the block is in the
   * document (ECharts needs a size); `data-rendered` is set when it has drawn.
   */
  block(testid: string, title: string, fileName: string, option: (t: Theme) => Option, height = 220): HTMLElement {
    const el = h('div', { class: 'chart', 'data-testid': testid });
    // Through the CSSOM: the Content-Security-Policy allows no inline style attributes.
    el.style.height = `${height}px`;
    const wrapper = h(
      'section',
      { class: 'chart-block' },
      h(
        'div',
        { class: 'chart-head' },
        h('h3', {}, title),
        h('span', { class: 'actions' },
          h('button', { 'data-action': 'save-png', title: `Save ${title} as PNG`, onclick: () => this.save(el, 'png', fileName) }, 'PNG'),
          h('button', { 'data-action': 'save-svg', title: `Save ${title} as SVG`, onclick: () => this.save(el, 'svg', fileName) }, 'SVG'),
        ),
      ),
      el,
    );
    queueMicrotask(() => this.draw(el, option));
    return wrapper;
  }

  /** Replaces the option of a drawn chart (live runs): no flicker, no new instance. */
  update(testid: string, option: (t: Theme) => Option): boolean {
    const found = this.live.find((l) => l.el.dataset.testid === testid && l.el.isConnected);
    if (!found) return false;
    found.chart.setOption(option(currentTheme()), { notMerge: true });
    (found as { option: (t: Theme) => Option }).option = option;
    return true;
  }

  disposeAll(): void {
    for (const l of this.live) {
      l.observer.disconnect();
      l.chart.dispose();
    }
    this.live = [];
  }

  private draw(el: HTMLElement, option: (t: Theme) => Option): void {
    if (!el.isConnected) return;
    const chart = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.on('finished', () => el.setAttribute('data-rendered', 'true'));
    chart.setOption(option(currentTheme()));
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(el);
    this.live.push({ chart, option, el, observer });
  }

  private retheme(): void {
    const theme = currentTheme();
    for (const l of this.live) l.chart.setOption(l.option(theme), { notMerge: true });
  }

  private save(el: HTMLElement, format: 'png' | 'svg', name: string): void {
    const l = this.live.find((x) => x.el === el);
    if (!l) return;
    const theme = currentTheme();
    if (format === 'png') {
      const url = l.chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: theme.background });
      this.post({ type: 'save', format, name, data: url.slice(url.indexOf(',') + 1) });
      return;
    }
    this.post({ type: 'save', format, name, data: svgOf(l.option(theme), el.clientWidth || 640, el.clientHeight || 320, theme.background) });
  }
}

/** The chart as an SVG document, drawn by ECharts' SVG renderer without touching the page. */
export function svgOf(option: Option, width: number, height: number, background: string): string {
  const chart = echarts.init(null as unknown as HTMLElement, undefined, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ ...option, backgroundColor: background });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
