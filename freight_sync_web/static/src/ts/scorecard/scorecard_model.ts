// The carrier scorecard's view logic, free of OWL and Chart.js so Node can test it: the
// route's answer (freight.carrier.scorecard._screen) turned into one Chart.js line chart
// and one table of numerators and denominators per carrier.
import { fill } from "../fill";
import type { ScorecardWords } from "./words";

export const FIGURES = ["on_time", "invoice_accuracy", "dispute_win", "tender_acceptance"] as const;
export type Figure = (typeof FIGURES)[number];
export const MONTH_CHOICES = [3, 6, 12, 24];

export interface Ratio {
    percent: number | null;
    count: number;
    of: number;
}

export type Card = Record<Figure, Ratio>;

export interface CarrierCard {
    carrier_id: number;
    carrier_name: string | null;
    total: Card;
    months: (Card & { month: string })[];
}

export interface ScorecardAnswer {
    months: string[];
    carriers: CarrierCard[];
}

export interface Cell {
    key: Figure;
    percent: string;
    ratio: string;
}

export interface TableRow {
    key: string;
    label: string;
    cells: Cell[];
    isTotal: boolean;
}

export interface ChartConfig {
    type: "line";
    data: {
        labels: string[];
        datasets: { label: string; data: (number | null)[]; borderColor: string; backgroundColor: string; spanGaps: boolean }[];
    };
    options: Record<string, unknown>;
}

export interface CarrierView {
    carrierId: number;
    name: string;
    chart: ChartConfig;
    chartLabel: string;
    rows: TableRow[];
    /** nothing counted in the window: the screen says so instead of showing bare axes */
    empty: boolean;
}

// Odoo's graph view palette, first colours (as the dashboard)
const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"];
// nothing to divide by: no percentage, not zero
const NOT_STATED = "–";

/** "2024-07" as the reader's locale writes a month ("Jul 2024", "juil. 2024"). */
export function monthLabel(month: string, locale = "en-US"): string {
    const [year, number] = month.split("-").map(Number);
    return new Date(Date.UTC(year ?? 1970, (number ?? 1) - 1, 1))
        .toLocaleDateString(locale, { month: "short", year: "numeric", timeZone: "UTC" });
}

export function formatPercent(ratio: Ratio): string {
    return ratio.percent === null ? NOT_STATED : ratio.percent.toFixed(1) + " %";
}

function cells(card: Card, words: ScorecardWords): Cell[] {
    return FIGURES.map((key) => ({
        key, percent: formatPercent(card[key]), ratio: fill(words.ofCount, card[key].count, card[key].of),
    }));
}

export function chartConfig(card: CarrierCard, words: ScorecardWords, locale = "en-US"): ChartConfig {
    return {
        type: "line",
        data: {
            labels: card.months.map((entry) => monthLabel(entry.month, locale)),
            datasets: FIGURES.map((key, index) => {
                const color = COLORS[index % COLORS.length] as string;
                return {
                    label: words.figures[key] as string,
                    // a month with nothing to count is a gap, not a zero
                    data: card.months.map((entry) => entry[key].percent),
                    borderColor: color, backgroundColor: color, spanGaps: false,
                };
            }),
        },
        options: {
            maintainAspectRatio: false,
            scales: { y: { beginAtZero: true, max: 100 } },
        },
    };
}

export function tableRows(card: CarrierCard, words: ScorecardWords, locale = "en-US"): TableRow[] {
    const rows = card.months.map((entry): TableRow => ({
        key: entry.month, label: monthLabel(entry.month, locale), cells: cells(entry, words), isTotal: false,
    }));
    rows.push({ key: "total", label: words.total, cells: cells(card.total, words), isTotal: true });
    return rows;
}

export function carrierViews(answer: ScorecardAnswer, words: ScorecardWords, locale = "en-US"): CarrierView[] {
    return answer.carriers.map((card) => {
        const name = card.carrier_name || String(card.carrier_id);
        return {
            carrierId: card.carrier_id,
            name,
            chart: chartConfig(card, words, locale),
            chartLabel: fill(words.chartLabel, name),
            rows: tableRows(card, words, locale),
            empty: FIGURES.every((key) => card.total[key].of === 0),
        };
    });
}

/** The route's parameters: no carrier means every carrier with something to count. */
export function routeParams(filters: { carrierId: number | null; months: number }): Record<string, unknown> {
    const params: Record<string, unknown> = { months: filters.months };
    if (filters.carrierId) {
        params.carrier_id = filters.carrierId;
    }
    return params;
}
