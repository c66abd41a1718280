/**
 * Loss curves of a training run: the optimised loss, the reconstruction term and the KL term per
 * step (lines), and the validation −ELBO per epoch (points), in nats per image. The y axis is
 * logarithmic when asked and every value is positive (the KL term is often 100x smaller than the
 * rest), linear otherwise. Hovering shows the values at the nearest step.
 *
 * `lossChart(element)` returns `update(data)`; calling it on every incoming step is fine: the
 * drawing is throttled (≤ 4 per second) and reuses its elements.
 */
import {
  axisBottom,
  axisLeft,
  bisector,
  format,
  line,
  pointer,
  scaleLinear,
  scaleLog,
  type ScaleContinuousNumeric,
} from 'd3';
import { createFrame, fillTooltip, formatNats, placeTooltip, type Margin } from './chart-frame';

export interface LossPoint {
  /** Steps completed at this point (a StepReport's `step` + 1). */
  step: number;
  /** The epoch it belongs to, 0-based (as in StepReport). */
  epoch: number;
  loss: number;
  reconstruction: number;
  kl: number;
  negElbo: number;
  beta: number;
}

export interface ValidationPoint {
  /** Epochs completed (1-based), as in EpochReport. */
  epoch: number;
  /** Steps completed at the end of that epoch. */
  step: number;
  negElbo: number;
}

export interface LossChartData {
  steps: readonly LossPoint[];
  validation: readonly ValidationPoint[];
  /** Log y axis (used only while every value is positive). */
  log: boolean;
}

export interface LossChart {
  update(data: LossChartData): void;
  destroy(): void;
}

type SeriesKey = 'loss' | 'reconstruction' | 'kl';

export const LOSS_SERIES: readonly { key: SeriesKey; label: string; swatch: string }[] = [
  { key: 'loss', label: 'Loss', swatch: 's-loss' },
  { key: 'reconstruction', label: 'Reconstruction', swatch: 's-recon' },
  { key: 'kl', label: 'KL', swatch: 's-kl' },
];

const HEIGHT = 280;
const MARGIN: Margin = { top: 12, right: 18, bottom: 40, left: 62 };
const byStep = bisector((d: { step: number }) => d.step).center;

/** Powers of ten inside the domain, with 2x and 5x between them when there are few decades. */
function logTicks([lo, hi]: [number, number]): number[] {
  const ticks: number[] = [];
  const first = Math.floor(Math.log10(lo));
  const last = Math.ceil(Math.log10(hi));
  const multiples = last - first <= 2 ? [1, 2, 5] : [1];
  for (let e = first; e <= last; e++) {
    for (const m of multiples) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) ticks.push(Number(v.toPrecision(6)));
    }
  }
  return ticks;
}

/** Whether a log axis can show this data (every plotted value positive). */
export function logPossible(data: Pick<LossChartData, 'steps' | 'validation'>): boolean {
  return (
    data.steps.every((d) => d.loss > 0 && d.reconstruction > 0 && d.kl > 0) &&
    data.validation.every((d) => d.negElbo > 0)
  );
}

export function lossChart(element: HTMLElement): LossChart {
  let data: LossChartData = { steps: [], validation: [], log: true };
  let hoverX: number | null = null;
  let hoverY = 0;

  const frame = createFrame(element, { className: 'loss-chart', height: HEIGHT, draw });
  const { svg } = frame;
  const grid = svg.append('g').attr('class', 'grid');
  const xAxis = svg.append('g').attr('class', 'axis x');
  const yAxis = svg.append('g').attr('class', 'axis y');
  const xLabel = svg.append('text').attr('class', 'axis-label').text('step');
  const yLabel = svg.append('text').attr('class', 'axis-label').text('nats / image');
  const plot = svg.append('g').attr('class', 'plot');
  const paths = LOSS_SERIES.map((s) => plot.append('path').attr('class', `series ${s.swatch}`));
  // The newest value of each series, marked (and visible while a run has a single step).
  const heads = plot.append('g').attr('class', 'heads');
  const points = plot.append('g').attr('class', 'validation s-val');
  const hover = svg.append('g').attr('class', 'hover').attr('visibility', 'hidden');
  const hoverLine = hover.append('line');
  const hoverDots = hover
    .selectAll('circle')
    .data(LOSS_SERIES)
    .join('circle')
    .attr('class', (s) => s.swatch)
    .attr('r', 3.5);
  const overlay = svg.append('rect').attr('class', 'overlay');
  const empty = svg.append('text').attr('class', 'empty').text('Waiting for the first steps…');

  let x: ScaleContinuousNumeric<number, number> = scaleLinear();
  let y: ScaleContinuousNumeric<number, number> = scaleLinear();

  overlay
    .on('pointermove', (event: PointerEvent) => {
      [hoverX, hoverY] = pointer(event);
      showHover();
    })
    .on('pointerleave', () => {
      hoverX = null;
      showHover();
    });

  function yDomain(log: boolean): [number, number] {
    let lo = Infinity;
    let hi = -Infinity;
    const see = (v: number): void => {
      if (!Number.isFinite(v) || (log && v <= 0)) return;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    };
    for (const d of data.steps) {
      see(d.loss);
      see(d.reconstruction);
      see(d.kl);
    }
    for (const v of data.validation) see(v.negElbo);
    if (lo > hi) return log ? [0.1, 1000] : [0, 1];
    if (log) return [lo / 1.3, hi * 1.3];
    lo = Math.min(0, lo);
    if (hi === lo) hi = lo + 1;
    return [lo, hi];
  }

  function draw(): void {
    const { width } = frame.size();
    const inner = { w: width - MARGIN.left - MARGIN.right, h: HEIGHT - MARGIN.top - MARGIN.bottom };
    const steps = data.steps;
    const log = data.log && logPossible(data);
    const lastStep = Math.max(steps.at(-1)?.step ?? 0, data.validation.at(-1)?.step ?? 0, 1);
    x = scaleLinear()
      .domain([0, lastStep])
      .range([MARGIN.left, MARGIN.left + inner.w]);
    if (lastStep > 10) x.nice();
    y = (log ? scaleLog() : scaleLinear())
      .domain(yDomain(log))
      .range([MARGIN.top + inner.h, MARGIN.top]);
    if (!log) y.nice();

    const xTicks = Math.max(2, Math.floor(inner.w / 90));
    const yTicks = Math.max(2, Math.floor(inner.h / 45));
    const yValues = log ? logTicks(y.domain() as [number, number]) : y.ticks(yTicks);
    xAxis
      .attr('transform', `translate(0,${MARGIN.top + inner.h})`)
      .call(axisBottom(x).ticks(Math.min(xTicks, lastStep), 'd'));
    yAxis
      .attr('transform', `translate(${MARGIN.left},0)`)
      .call(axisLeft(y).tickValues(yValues).tickFormat(format('~g')));
    grid
      .selectAll('line')
      .data(yValues)
      .join('line')
      .attr('x1', MARGIN.left)
      .attr('x2', MARGIN.left + inner.w)
      .attr('y1', (d) => y(d))
      .attr('y2', (d) => y(d));
    xLabel.attr('x', MARGIN.left + inner.w / 2).attr('y', HEIGHT - 6);
    yLabel.attr('transform', `translate(14,${MARGIN.top + inner.h / 2}) rotate(-90)`);

    // A long run streams many thousands of points: draw about two per pixel column.
    const stride = Math.max(1, Math.ceil(steps.length / Math.max(1, inner.w * 2)));
    const shown =
      stride === 1 ? steps : steps.filter((_, i) => i % stride === 0 || i === steps.length - 1);
    LOSS_SERIES.forEach((s, i) => {
      const path = line<LossPoint>()
        .defined((d) => Number.isFinite(d[s.key]) && (!log || d[s.key] > 0))
        .x((d) => x(d.step))
        .y((d) => y(d[s.key]));
      paths[i]?.attr('d', path(shown as LossPoint[]) ?? '');
    });
    const last = steps.at(-1);
    heads
      .selectAll('circle')
      .data(last ? LOSS_SERIES.filter((s) => Number.isFinite(y(last[s.key]))) : [])
      .join('circle')
      .attr('class', (s) => s.swatch)
      .attr('r', 2.5)
      .attr('cx', last ? x(last.step) : 0)
      .attr('cy', (s) => (last ? y(last[s.key]) : 0));
    points
      .selectAll('circle')
      .data(data.validation.filter((d) => Number.isFinite(d.negElbo)))
      .join('circle')
      .attr('r', 4.5)
      .attr('cx', (d) => x(d.step))
      .attr('cy', (d) => y(d.negElbo));

    overlay
      .attr('x', MARGIN.left)
      .attr('y', MARGIN.top)
      .attr('width', Math.max(0, inner.w))
      .attr('height', Math.max(0, inner.h));
    empty
      .attr('x', MARGIN.left + inner.w / 2)
      .attr('y', MARGIN.top + inner.h / 2)
      .attr('visibility', steps.length === 0 ? 'visible' : 'hidden');
    frame.label(summary(log));
    showHover();
  }

  function summary(log: boolean): string {
    const last = data.steps.at(-1);
    if (!last) return 'Loss curves: no steps yet.';
    const val = data.validation.at(-1);
    const parts = [
      `Loss curves over ${data.steps.length} logged steps up to step ${last.step}`,
      `latest loss ${formatNats(last.loss)}, reconstruction ${formatNats(last.reconstruction)}, KL ${formatNats(last.kl)} nats per image`,
    ];
    if (val) parts.push(`validation −ELBO ${formatNats(val.negElbo)} after epoch ${val.epoch}`);
    parts.push(log ? 'log y axis' : 'linear y axis');
    return `${parts.join('; ')}.`;
  }

  function showHover(): void {
    const steps = data.steps;
    if (hoverX === null || steps.length === 0) {
      hover.attr('visibility', 'hidden');
      frame.tooltip.attr('hidden', '');
      return;
    }
    const d = steps[byStep(steps, x.invert(hoverX))];
    if (!d) return;
    const px = x(d.step);
    hover.attr('visibility', 'visible');
    hoverLine.attr('x1', px).attr('x2', px).attr('y1', y.range()[0]!).attr('y2', y.range()[1]!);
    hoverDots
      .attr('cx', px)
      .attr('cy', (s) => y(d[s.key]))
      .attr('visibility', (s) => (Number.isFinite(y(d[s.key])) ? 'visible' : 'hidden'));
    const rows = LOSS_SERIES.map((s) => ({
      label: s.label,
      value: formatNats(d[s.key]),
      swatch: s.swatch,
    }));
    if (d.negElbo !== d.loss)
      rows.push({ label: '−ELBO', value: formatNats(d.negElbo), swatch: '' });
    if (d.beta !== 1)
      rows.push({ label: 'β', value: String(Number(d.beta.toPrecision(3))), swatch: '' });
    const near = hoverX;
    const val = data.validation.find((v) => Math.abs(x(v.step) - near) < 10);
    if (val) {
      rows.push({
        label: `Validation −ELBO (epoch ${val.epoch})`,
        value: formatNats(val.negElbo),
        swatch: 's-val',
      });
    }
    fillTooltip(frame, `Step ${d.step} · epoch ${d.epoch + 1} · nats per image`, rows);
    frame.tooltip.attr('hidden', null);
    placeTooltip(frame, px, hoverY);
  }

  return {
    update(next) {
      data = next;
      frame.schedule();
    },
    destroy: () => frame.destroy(),
  };
}
