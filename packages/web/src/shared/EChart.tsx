import { BarChart, LineChart, type BarSeriesOption, type LineSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TooltipComponent,
  type GridComponentOption,
  type LegendComponentOption,
  type MarkAreaComponentOption,
  type MarkLineComponentOption,
  type TooltipComponentOption,
} from 'echarts/components';
import { init, use, type ComposeOption } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef, type CSSProperties } from 'react';

// Only the parts the dashboard draws (bars, lines, a threshold line, the window band): a small bundle.
use([
  BarChart,
  LineChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  MarkLineComponent,
  MarkAreaComponent,
  SVGRenderer,
]);

/** The options those parts understand. */
export type ChartOption = ComposeOption<
  | BarSeriesOption
  | LineSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | TooltipComponentOption
  | MarkLineComponentOption
  | MarkAreaComponentOption
>;

/** An ECharts chart in a div: made on mount, updated when the option changes, resized with its box. */
export function EChart(props: {
  option: ChartOption;
  height?: number;
  style?: CSSProperties;
  testId?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<typeof init> | null>(null);
  useEffect(() => {
    const div = ref.current;
    if (!div) return;
    const c = init(div, undefined, { renderer: 'svg' });
    chart.current = c;
    // Drawn and done animating: tests (and screenshots) wait for it.
    c.on('finished', () => div.setAttribute('data-rendered', 'true'));
    const observer = new ResizeObserver(() => c.resize());
    observer.observe(div);
    return () => {
      observer.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    // Merged into what is drawn: a refresh moves the bars, and the legend keeps what was toggled.
    chart.current?.setOption(props.option);
  }, [props.option]);
  return (
    <div
      ref={ref}
      data-testid={props.testId}
      style={{ width: '100%', height: props.height ?? 260, ...props.style }}
    />
  );
}
