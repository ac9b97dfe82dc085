/**
 * Analysis of runs from their files: metrics (confusion matrix, class report,
 * top-k accuracy), Arquero tables, terminal charts, SVG figures, the paper's
 * Table I and reports of runs and suites.
 * @module
 */
export * from "./metrics.ts";
export * from "./stats.ts";
export * from "./run_files.ts";
export * from "./table_format.ts";
export * from "./tables.ts";
export * from "./line_chart.ts";
export * from "./charts.ts";
export * from "./figures.ts";
export * from "./curve_figures.ts";
export * from "./paper_reference.ts";
export * from "./paper_table.ts";
export * from "./effects.ts";
export * from "./run_report.ts";
export * from "./suite_report.ts";
export * from "./report.ts";
export * from "./compare.ts";
export * from "./degradation.ts";
export * from "./degradation_figures.ts";
export * from "./degradation_report.ts";
export * from "./sweep_table.ts";
export * from "./sweep_report.ts";
export * from "./sweep_settings_figure.ts";
