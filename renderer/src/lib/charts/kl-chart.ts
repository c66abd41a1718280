/**
 * KL divergence per latent dimension as bars (nats per image). Dimensions the encoder really uses
 * ("active units") are highlighted; collapsed ones, whose posterior is the prior, show as flat
 * muted bars. Hovering a bar shows its value.
 *
 * `klChart(element)` returns `update(data)`; redraws are throttled like the loss chart's.
 */
import { axisBottom, axisLeft, pointer, scaleBand, scaleLinear } from 'd3';
import { createFrame, fillTooltip, formatNats, placeTooltip, type Margin } from './chart-frame';

export interface KlChartData {
  klPerDim: readonly number[];
  /** Which dimensions count as active; null when unknown (no epoch evaluated yet). */
  active: readonly boolean[] | null;
}

export interface KlChart {
  update(data: KlChartData): void;
  destroy(): void;
}

const HEIGHT = 200;
const MARGIN: Margin = { top: 10, right: 12, bottom: 38, left: 56 };

interface Bar {
  dim: number;
  kl: number;
  active: boolean | null;
}

export function klChart(element: HTMLElement): KlChart {
  let data: KlChartData = { klPerDim: [], active: null };
  let hovered: number | null = null;
  let hoverY = 0;

  const frame = createFrame(element, { className: 'kl-chart', height: HEIGHT, draw });
  const { svg } = frame;
  const grid = svg.append('g').attr('class', 'grid');
  const xAxis = svg.append('g').attr('class', 'axis x');
  const yAxis = svg.append('g').attr('class', 'axis y');
  const xLabel = svg.append('text').attr('class', 'axis-label').text('latent dimension');
  const yLabel = svg.append('text').attr('class', 'axis-label').text('KL, nats');
  const bars = svg.append('g').attr('class', 'bars');
  const overlay = svg.append('rect').attr('class', 'overlay');
  const empty = svg.append('text').attr('class', 'empty').text('No KL values yet');

  let x = scaleBand<number>();

  overlay
    .on('pointermove', (event: PointerEvent) => {
      const [px, py] = pointer(event);
      const gap = (x.step() - x.bandwidth()) / 2;
      const index = Math.floor((px - (x(0) ?? 0) + gap) / x.step());
      hovered = index >= 0 && index < data.klPerDim.length ? index : null;
      hoverY = py;
      showHover();
    })
    .on('pointerleave', () => {
      hovered = null;
      showHover();
    });

  function draw(): void {
    const { width } = frame.size();
    const inner = { w: width - MARGIN.left - MARGIN.right, h: HEIGHT - MARGIN.top - MARGIN.bottom };
    const values: Bar[] = data.klPerDim.map((kl, dim) => ({
      dim,
      kl,
      active: data.active ? (data.active[dim] ?? false) : null,
    }));
    x = scaleBand<number>()
      .domain(values.map((d) => d.dim))
      .range([MARGIN.left, MARGIN.left + inner.w])
      .paddingInner(values.length > 64 ? 0.05 : 0.2)
      .paddingOuter(0.1);
    const max = Math.max(0.01, ...values.map((d) => (Number.isFinite(d.kl) ? d.kl : 0)));
    const y = scaleLinear()
      .domain([0, max])
      .nice()
      .range([MARGIN.top + inner.h, MARGIN.top]);

    // At most one label every ~28 px: z1, z2, ... or every nth.
    const every = Math.max(1, Math.ceil((values.length * 28) / Math.max(inner.w, 1)));
    xAxis.attr('transform', `translate(0,${MARGIN.top + inner.h})`).call(
      axisBottom(x)
        .tickValues(values.map((d) => d.dim).filter((d) => d % every === 0))
        .tickFormat((d) => `z${d + 1}`)
        .tickSizeOuter(0),
    );
    yAxis.attr('transform', `translate(${MARGIN.left},0)`).call(axisLeft(y).ticks(4, '~g'));
    grid
      .selectAll('line')
      .data(y.ticks(4))
      .join('line')
      .attr('x1', MARGIN.left)
      .attr('x2', MARGIN.left + inner.w)
      .attr('y1', (d) => y(d))
      .attr('y2', (d) => y(d));
    xLabel.attr('x', MARGIN.left + inner.w / 2).attr('y', HEIGHT - 4);
    yLabel.attr('transform', `translate(14,${MARGIN.top + inner.h / 2}) rotate(-90)`);

    bars
      .selectAll('rect')
      .data(values, (d) => (d as Bar).dim)
      .join('rect')
      .attr('class', (d) => (d.active === null ? 'bar' : d.active ? 'bar active' : 'bar inactive'))
      .attr('x', (d) => x(d.dim) ?? 0)
      .attr('width', x.bandwidth())
      .attr('y', (d) => y(Math.max(0, d.kl) || 0))
      // A collapsed dimension still gets a hairline, so "zero" reads as a value.
      .attr('height', (d) => Math.max(1, y(0) - y(Math.max(0, d.kl) || 0)));
    overlay
      .attr('x', MARGIN.left)
      .attr('y', MARGIN.top)
      .attr('width', Math.max(0, inner.w))
      .attr('height', Math.max(0, inner.h));
    empty
      .attr('x', MARGIN.left + inner.w / 2)
      .attr('y', MARGIN.top + inner.h / 2)
      .attr('visibility', values.length === 0 ? 'visible' : 'hidden');
    frame.label(summary(values));
    showHover();
  }

  function summary(values: Bar[]): string {
    if (values.length === 0) return 'KL per latent dimension: no values yet.';
    const total = values.reduce((sum, d) => sum + d.kl, 0);
    const top = values.reduce((a, b) => (b.kl > a.kl ? b : a));
    const active = values.filter((d) => d.active).length;
    const activeText = data.active ? `; ${active} of ${values.length} dimensions active` : '';
    return `KL per latent dimension: ${values.length} dimensions, ${formatNats(total)} nats in total; largest z${top.dim + 1} with ${formatNats(top.kl)} nats${activeText}.`;
  }

  function showHover(): void {
    bars.selectAll<SVGRectElement, Bar>('rect').classed('hovered', (d) => d.dim === hovered);
    const kl = hovered === null ? undefined : data.klPerDim[hovered];
    if (hovered === null || kl === undefined) {
      frame.tooltip.attr('hidden', '');
      return;
    }
    const state = data.active ? (data.active[hovered] ? 'active' : 'inactive (collapsed)') : null;
    fillTooltip(frame, `z${hovered + 1}`, [
      { label: 'KL', value: `${formatNats(kl)} nats` },
      ...(state ? [{ label: 'Unit', value: state }] : []),
    ]);
    frame.tooltip.attr('hidden', null);
    placeTooltip(frame, (x(hovered) ?? 0) + x.bandwidth() / 2, hoverY);
  }

  return {
    update(next) {
      data = next;
      frame.schedule();
    },
    destroy: () => frame.destroy(),
  };
}
