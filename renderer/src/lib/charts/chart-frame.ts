/**
 * What every d3 chart module shares: a wrapper with an SVG (role="img", labelled by a summary
 * the chart keeps current), an HTML tooltip, a ResizeObserver, and a throttled redraw so live
 * data arriving many times a second is drawn at most a few times a second.
 *
 * Styling goes through classes (see charts.css, which follows the app's theme variables) and,
 * for positions only, the CSSOM (`selection.style`), which the page's strict CSP allows; never a
 * `style` attribute string.
 */
import { select, type Selection } from 'd3';
import './charts.css';

export interface Size {
  width: number;
  height: number;
}

export interface Margin {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export type Div = Selection<HTMLDivElement, unknown, null, undefined>;
export type Svg = Selection<SVGSVGElement, unknown, null, undefined>;
export type G = Selection<SVGGElement, unknown, null, undefined>;

export interface Frame {
  root: Div;
  svg: Svg;
  tooltip: Div;
  /** The drawing area's size now (the container's width, the chart's fixed height). */
  size(): Size;
  /** Asks for a redraw: at once if none happened recently, else after the interval. */
  schedule(): void;
  /** Sets the SVG's accessible summary. */
  label(text: string): void;
  destroy(): void;
}

export interface FrameOptions {
  /** A class for the wrapper, e.g. `loss-chart`. */
  className: string;
  height: number;
  /** Minimum time between redraws (250 ms = at most 4 per second). */
  minIntervalMs?: number;
  draw(size: Size): void;
}

export function createFrame(element: HTMLElement, options: FrameOptions): Frame {
  const interval = options.minIntervalMs ?? 250;
  const root: Div = select(element).append('div').attr('class', `chart ${options.className}`);
  const svg: Svg = root.append('svg').attr('role', 'img').attr('height', options.height);
  const tooltip: Div = root.append('div').attr('class', 'chart-tooltip').attr('hidden', '');

  let lastDraw = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let frame: number | null = null;
  let destroyed = false;

  const size = (): Size => ({
    width: Math.max(0, Math.floor(root.node()?.clientWidth ?? 0)),
    height: options.height,
  });

  const draw = (): void => {
    frame = null;
    if (destroyed) return;
    lastDraw = performance.now();
    const now = size();
    if (now.width === 0) return; // Hidden: drawn again when it is shown (resize).
    svg.attr('width', now.width).attr('viewBox', `0 0 ${now.width} ${now.height}`);
    options.draw(now);
  };

  const schedule = (): void => {
    if (destroyed || timer !== null || frame !== null) return;
    const wait = Math.max(0, lastDraw + interval - performance.now());
    timer = setTimeout(() => {
      timer = null;
      frame = requestAnimationFrame(draw);
    }, wait);
  };

  let lastWidth = -1;
  const observer = new ResizeObserver(() => {
    const width = size().width;
    if (width === lastWidth) return;
    lastWidth = width;
    schedule();
  });
  const node = root.node();
  if (node) observer.observe(node);

  return {
    root,
    svg,
    tooltip,
    size,
    schedule,
    label: (text) => void svg.attr('aria-label', text),
    destroy: () => {
      destroyed = true;
      observer.disconnect();
      if (timer !== null) clearTimeout(timer);
      if (frame !== null) cancelAnimationFrame(frame);
      root.remove();
    },
  };
}

/** Places the tooltip next to a point of the drawing, flipping to stay inside the chart. */
export function placeTooltip(frame: Frame, x: number, y: number): void {
  const node = frame.tooltip.node();
  if (!node) return;
  const { width } = frame.size();
  const box = node.getBoundingClientRect();
  const left = x + 14 + box.width > width ? x - 14 - box.width : x + 14;
  const top = Math.max(0, y - box.height / 2);
  frame.tooltip.style('transform', `translate(${Math.max(0, left)}px, ${top}px)`);
}

/** Fills the tooltip with rows of `label value`, plus an optional class per row (a swatch). */
export function fillTooltip(
  frame: Frame,
  title: string,
  rows: { label: string; value: string; swatch?: string }[],
): void {
  frame.tooltip.selectAll('*').remove();
  frame.tooltip.append('div').attr('class', 'chart-tooltip-title').text(title);
  const row = frame.tooltip.selectAll('div.row').data(rows).join('div').attr('class', 'row');
  row
    .append('span')
    .attr('class', (d) => `swatch ${d.swatch ?? 'none'}`)
    .attr('aria-hidden', 'true');
  row
    .append('span')
    .attr('class', 'label')
    .text((d) => d.label);
  row
    .append('span')
    .attr('class', 'value')
    .text((d) => d.value);
}

/** nats with a sensible number of digits: 512.3, 14.21, 0.0213. */
export function formatNats(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  if (abs === 0) return '0';
  return value.toPrecision(3);
}
