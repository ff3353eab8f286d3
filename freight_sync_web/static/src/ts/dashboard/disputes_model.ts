// The dashboard's Disputes section, free of OWL and Chart.js so Node can test it: the
// route's `disputes` turned into one bar chart by month and one row per carrier.
import { fill } from "../fill";
import { monthLabel } from "../scorecard/scorecard_model";
import { formatAmount, formatRate, spec, type ChartSpec, type DisputeSeriesKey, type DisputesData } from "./dashboard_model";
import type { DashboardWords } from "./words";

// always in this order, so the colours mean the same thing month after month
export const DISPUTE_SERIES: DisputeSeriesKey[] = ["disputed", "recovered", "written_off"];

export interface DisputeRow {
    id: number;
    name: string;
    disputed: string;
    recovered: string;
    writtenOff: string;
    settled: number;
    won: number;
    winRate: string;
    /** "n of m" under the percentage */
    winRatio: string;
}

/** A win rate 0..1 as the dashboard writes rates ("66.7 %"), "–" when nothing was settled. */
export function winRateText(rate: number | null | undefined): string {
    return rate === null || rate === undefined || !Number.isFinite(rate) ? formatRate(null) : formatRate(rate * 100);
}

export function winRatio(words: DashboardWords, won: number, settled: number): string {
    return fill(words.ofCount, won, settled);
}

/** The bar chart by month: disputed, recovered, written off side by side (not stacked:
 * recovered and written off are parts of what was disputed). No drill-down. */
export function disputeChartSpec(words: DashboardWords, disputes: DisputesData, locale = "en-US"): ChartSpec {
    const months = disputes.months.map((month) => monthLabel(month, locale));
    const series = DISPUTE_SERIES.flatMap((key) => {
        const found = disputes.series.find((s) => s.key === key);
        if (!found) return [];
        // a short series (server bug or a month cut off) is padded, never shifted
        const values = months.map((_, i) => found.values[i] ?? 0);
        return [{ key, label: found.label, values, drills: values.map(() => null) }];
    });
    return spec("disputes", words.chartDisputes, "bar", months, { series });
}

export function disputeRows(words: DashboardWords, disputes: DisputesData): DisputeRow[] {
    return disputes.carriers.map((c) => ({
        id: c.id,
        name: c.name,
        disputed: formatAmount(c.disputed),
        recovered: formatAmount(c.recovered),
        writtenOff: formatAmount(c.written_off),
        settled: c.settled,
        won: c.won,
        winRate: winRateText(c.settled ? c.win_rate : null),
        winRatio: winRatio(words, c.won, c.settled),
    }));
}
