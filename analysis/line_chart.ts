/**
 * A terminal line chart over asciichart with what it lacks: x values, an
 * x axis with ticks and a label, a legend line, a log10 y scale, gaps for
 * non-finite values and colours that respect NO_COLOR.
 * @module
 */
import asciichart from "asciichart";
import { maxOf, minOf } from "../core/extent.ts";

/** One named line: y values at x positions (equal lengths). */
export interface ChartSeries {
  /** Legend name. */
  readonly name: string;
  /** x positions (epochs, depths, …). */
  readonly x: readonly number[];
  /** Values; NaN and Infinity are dropped. */
  readonly y: readonly number[];
}

/** Options of {@link lineChart}. */
export interface LineChartOptions {
  /** First line of the chart. */
  readonly title: string;
  /** Label under the x axis, e.g. `epoch`. */
  readonly xLabel: string;
  /**
   * Plot log10(y); values ≤ 0 are dropped with a note.
   * @default false
   */
  readonly logY?: boolean;
  /**
   * ANSI colours; without them, series after the first are drawn with `*`, `+`, `o`, … .
   * @default defaultColor()
   */
  readonly color?: boolean;
  /**
   * Total width in characters.
   * @default terminalWidth()
   */
  readonly width?: number;
  /**
   * Rows of the plot area.
   * @default 10
   */
  readonly height?: number;
}

const COLORS = [
  asciichart.cyan,
  asciichart.magenta,
  asciichart.green,
  asciichart.yellow,
  asciichart.blue,
  asciichart.red,
];
const MARKERS = ["*", "+", "o", "x", "#", "@", "%"];

/**
 * Whether output should be coloured: false when `NO_COLOR` is set (non-empty)
 * or standard output is not a terminal.
 */
export function defaultColor(): boolean {
  try {
    if ((Deno.env.get("NO_COLOR") ?? "") !== "") return false;
  } catch {
    // Without --allow-env, NO_COLOR cannot be read; the TTY test still applies.
  }
  return Deno.stdout.isTerminal();
}

/** Columns of the terminal, or 80 when standard output is not a terminal. */
export function terminalWidth(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 80;
  }
}

interface Cleaned {
  name: string;
  xs: number[];
  ys: number[];
}

function clean(s: ChartSeries, logY: boolean, notes: string[]): Cleaned | undefined {
  if (s.x.length !== s.y.length) {
    throw new RangeError(
      `Cannot chart series '${s.name}': 'x' and 'y' must have equal lengths, got ${s.x.length} and ${s.y.length}`,
    );
  }
  const pts: [number, number][] = [];
  for (let i = 0; i < s.x.length; i++) {
    const y = logY ? Math.log10(s.y[i]) : s.y[i];
    if (Number.isFinite(s.x[i]) && Number.isFinite(y)) pts.push([s.x[i], y]);
  }
  pts.sort((a, b) => a[0] - b[0]);
  const dropped = s.x.length - pts.length;
  if (pts.length === 0) {
    notes.push(`${s.name}: no ${logY ? "positive finite" : "finite"} values, not drawn`);
    return undefined;
  }
  if (dropped > 0) {
    notes.push(
      `${s.name}: ${dropped} ${
        logY ? "non-positive or " : ""
      }non-finite value(s) dropped, line bridged`,
    );
  }
  if (pts.length === 1) notes.push(`${s.name}: one point, drawn flat`);
  return { name: s.name, xs: pts.map((p) => p[0]), ys: pts.map((p) => p[1]) };
}

/** Samples a series at each column's x: linear between points, ending at its last point. */
function resample(s: Cleaned, columnX: number[]): number[] {
  const out: number[] = [];
  let j = 0;
  const last = s.xs[s.xs.length - 1];
  for (const x of columnX) {
    if (x > last + 1e-9 && out.length > 0) break;
    while (j < s.xs.length - 1 && s.xs[j + 1] < x) j++;
    if (x <= s.xs[0] || j === s.xs.length - 1) out.push(x <= s.xs[0] ? s.ys[0] : s.ys[j]);
    else {
      const t = (x - s.xs[j]) / (s.xs[j + 1] - s.xs[j]);
      out.push(s.ys[j] + t * (s.ys[j + 1] - s.ys[j]));
    }
  }
  return out;
}

function labelOf(v: number, range: number, logY: boolean): string {
  if (logY) return (10 ** v).toExponential(1);
  const decimals = range === 0 ? 2 : Math.max(0, Math.min(6, 2 - Math.floor(Math.log10(range))));
  return v.toFixed(decimals);
}

function xAxis(pad: number, columns: number, xmin: number, xmax: number, xLabel: string): string[] {
  let ticks = Math.max(2, Math.min(6, Math.floor(columns / 10)));
  const integers = Number.isInteger(xmin) && Number.isInteger(xmax);
  if (integers) ticks = Math.min(ticks, xmax - xmin + 1);
  const axis = ["└", ..."─".repeat(columns - 1)];
  const labels = new Array<string>(columns + 8).fill(" ");
  for (let k = 0; k < ticks; k++) {
    // Integer domains (epochs, depths) get ticks on whole numbers only.
    const raw = ticks === 1 ? xmin : xmin + (k * (xmax - xmin)) / (ticks - 1);
    const v = integers ? Math.round(raw) : raw;
    const col = xmax === xmin ? 0 : Math.round(((v - xmin) * (columns - 1)) / (xmax - xmin));
    axis[col] = col === 0 ? "└" : "┬";
    const text = Number.isInteger(v) ? String(v) : v.toFixed(1);
    const start = Math.max(
      0,
      Math.min(col - Math.floor(text.length / 2), columns + 8 - text.length),
    );
    for (let i = 0; i < text.length; i++) labels[start + i] = text[i];
  }
  const prefix = " ".repeat(pad + 1);
  const centre = " ".repeat(Math.max(0, pad + 1 + Math.floor((columns - xLabel.length) / 2)));
  return [prefix + axis.join(""), (prefix + labels.join("")).trimEnd(), centre + xLabel];
}

/**
 * Draws series as an asciichart line chart with a title, an x axis labelled
 * with x values, a legend line and notes on dropped values. NaN and Infinity
 * are dropped and the line bridged; an empty series is left out with a note;
 * a one-point series is drawn flat; with nothing to draw the chart says so.
 * @throws {RangeError} when a series' x and y lengths differ.
 * @example
 * ```ts
 * import { lineChart } from "./line_chart.ts";
 * const text = lineChart([{ name: "train", x: [0, 1, 2], y: [0.3, NaN, 0.7] }],
 *   { title: "Accuracy", xLabel: "epoch", color: false, width: 60 });
 * if (!text.includes("epoch")) throw new Error("no x label");
 * ```
 */
export function lineChart(series: readonly ChartSeries[], options: LineChartOptions): string {
  const logY = options.logY ?? false, color = options.color ?? defaultColor();
  const width = Math.max(24, Math.floor(options.width ?? terminalWidth()));
  const height = Math.max(1, Math.floor(options.height ?? 10));
  const notes: string[] = [];
  const kept = series.map((s) => clean(s, logY, notes)).filter((s): s is Cleaned =>
    s !== undefined
  );
  const title = options.title + (logY ? " (log10 scale)" : "");
  const noteLines = notes.map((n) => `  note: ${n}`);
  if (kept.length === 0) return [title, "  (no data to plot)", ...noteLines].join("\n") + "\n";

  const xmin = minOf(kept.map((s) => s.xs[0])),
    xmax = maxOf(kept.map((s) => s.xs[s.xs.length - 1]));
  let ymin = minOf(kept.flatMap((s) => s.ys)), ymax = maxOf(kept.flatMap((s) => s.ys));
  if (ymin === ymax) {
    // asciichart labels a zero range with row indices; widen it so the labels stay values.
    const half = Math.abs(ymin) * 0.1 || 1;
    ymin -= half;
    ymax += half;
  }
  const labels = [ymin, ymax, (ymin + ymax) / 2].map((v) => labelOf(v, ymax - ymin, logY));
  const pad = maxOf(labels.map((l) => l.length)) + 1;
  const columns = Math.max(8, width - pad - 2);
  const columnX = Array.from(
    { length: columns },
    (_, c) => (xmax === xmin ? xmin : xmin + (c * (xmax - xmin)) / (columns - 1)),
  );
  const data = kept.map((s) => resample(s, columnX));
  const cfg = (extra: Record<string, unknown>) => ({
    min: ymin,
    max: ymax,
    height,
    format: (v: number) => labelOf(v, ymax - ymin, logY).padStart(pad),
    ...extra,
  });

  let plot: string;
  if (color) {
    plot = asciichart.plot(
      data,
      cfg({ colors: data.map((_, j) => COLORS[j % COLORS.length]) }),
    );
  } else {
    const base: string[] = asciichart.plot([data[0]], cfg({})).split("\n");
    for (let j = 1; j < data.length; j++) {
      const m = MARKERS[(j - 1) % MARKERS.length];
      const layer: string[] = asciichart.plot(
        [data[j]],
        cfg({ symbols: ["┼", "┤", "╶", "╴", m, m, m, m, m, m] }),
      ).split("\n");
      base.forEach((line, r) => {
        const over = [...layer[r]];
        const chars = [...line.padEnd(over.length)];
        over.forEach((ch, i) => {
          if (i > pad + 1 && ch !== " ") chars[i] = ch;
        });
        base[r] = chars.join("");
      });
    }
    plot = base.join("\n");
  }
  const legend = kept.map((s, j) => {
    const mark = color
      ? asciichart.colored("──", COLORS[j % COLORS.length])
      : j === 0
      ? "──"
      : MARKERS[(j - 1) % MARKERS.length].repeat(2);
    return `${mark} ${s.name}`;
  });
  return [
    title,
    plot,
    ...xAxis(pad, columns, xmin, xmax, options.xLabel),
    "  " + legend.join("   "),
    ...noteLines,
  ]
    .join("\n") + "\n";
}
