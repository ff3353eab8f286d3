// The freight dashboard's view logic, free of OWL and Chart.js so Node can test it: the
// route's answer turned into KPI cards and chart configurations, a clicked point into the
// window action that lists the records behind it.
import { fill } from "../fill";
import { serverMessage } from "../server_error";
import type { HealthData } from "./health_model";
import type { DashboardWords } from "./words";

export type Domain = unknown[];

export interface Drill {
    model: string;
    name: string;
    domain: Domain;
}

export interface Series {
    key: string;
    label: string;
    values: (number | null)[];
    counts?: (number | number[])[];
    drills: (Drill | null)[];
}

export interface ChartData {
    labels?: string[];
    series: Series[];
}

export interface LatencyData extends ChartData {
    count: number;
    p50: number | null;
    p95: number | null;
    drill: Drill;
}

export interface DashboardAnswer {
    period: { date_from: string; date_to: string; carrier_id: number | null };
    weeks: string[];
    kpis: {
        auto_approval_rate: { value: number | null; count: number; of: number; drill: Drill };
        recovered: { value: number; drill: Drill };
        open_accruals: { value: number; count: number; drill: Drill };
        dead_letters: { value: number; drill: Drill } | null;
        /** open cases past their dispute window, none sent; missing from an older server */
        money_lost?: { value: number; count: number; drill: Drill };
    };
    auto_approval: ChartData;
    recovered: ChartData;
    carriers: ChartData & { carrier_ids: number[] };
    accruals: ChartData;
    /** null: the user may not read the inbox (Freight Managers only) */
    latency: LatencyData | null;
    /** missing from a server that does not know disputes yet */
    disputes?: DisputesData;
    /** the integration now; null: not a Freight Manager; missing from an older server */
    health?: HealthData | null;
}

export type DisputeSeriesKey = "disputed" | "recovered" | "written_off";

export interface DisputesData {
    months: string[]; // "2026-07"
    series: { key: DisputeSeriesKey; label: string; values: number[] }[];
    carriers: DisputeCarrier[];
}

export interface DisputeCarrier {
    id: number;
    name: string;
    disputed: number;
    recovered: number;
    written_off: number;
    settled: number;
    won: number;
    win_rate: number | null; // 0..1
}

export interface KpiCard {
    key: string;
    label: string;
    value: string;
    hint: string;
    tone: "success" | "warning" | "danger" | "info";
    drill: Drill;
}

export interface ChartDataset {
    label: string;
    data: (number | null)[];
    backgroundColor: string;
    borderColor: string;
    stack?: string;
}

export interface ChartConfig {
    type: "bar" | "line";
    data: { labels: string[]; datasets: ChartDataset[] };
    options: Record<string, unknown>;
}

export interface ChartSpec {
    key: string;
    title: string;
    config: ChartConfig;
    /** drills[datasetIndex][pointIndex] */
    drills: (Drill | null)[][];
    /** nothing to draw in the period: the card says so instead of showing bare axes */
    empty: boolean;
}

// a type, not an interface: doAction takes Record<string, unknown>
export type WindowAction = {
    type: "ir.actions.act_window";
    name: string;
    res_model: string;
    domain: Domain;
    views: [false, string][];
    target: "current";
};

// Odoo's graph view palette, first colours
const COLORS = ["#1f77b4", "#ff7f0e", "#aec7e8", "#ffbb78", "#2ca02c", "#98df8a"];
// only the report has no form view worth opening
const LIST_ONLY = new Set(["freight.accrual.report"]);

/** A week's Monday as the reader's locale writes a short date ("Dec 30", "30 déc."). */
export function weekLabel(isoDate: string, locale = "en-US"): string {
    const [year, month, day] = isoDate.split("-").map(Number);
    return new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, day ?? 1))
        .toLocaleDateString(locale, { month: "short", day: "numeric", timeZone: "UTC" });
}

export function formatSeconds(seconds: number | null): string {
    if (seconds === null) {
        return "–";
    }
    if (seconds < 60) {
        return `${seconds.toFixed(1)} s`;
    }
    return seconds < 3600 ? `${(seconds / 60).toFixed(1)} min` : `${(seconds / 3600).toFixed(1)} h`;
}

export function formatAmount(amount: number): string {
    return amount.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

export function formatRate(rate: number | null): string {
    return rate === null ? "–" : `${rate.toFixed(1)} %`;
}

export function kpiCards(words: DashboardWords, answer: DashboardAnswer): KpiCard[] {
    const { kpis, latency } = answer;
    const auto = kpis.auto_approval_rate;
    const cards: KpiCard[] = [
        {
            key: "auto_approval_rate", label: words.autoApprovalRate, value: formatRate(auto.value),
            hint: fill(words.auditedOf, auto.count, auto.of), tone: "success", drill: auto.drill,
        },
    ];
    if (kpis.dead_letters) {
        const dead = kpis.dead_letters;
        cards.push({
            key: "dead_letters", label: words.deadLetters, value: String(dead.value),
            hint: words.waitingReplay, tone: dead.value ? "danger" : "success", drill: dead.drill,
        });
    }
    if (latency) {
        const hint = fill(words.messagesProcessed, latency.count);
        cards.push(
            { key: "latency_p50", label: words.latencyP50, value: formatSeconds(latency.p50), hint, tone: "info", drill: latency.drill },
            { key: "latency_p95", label: words.latencyP95, value: formatSeconds(latency.p95), hint, tone: "info", drill: latency.drill },
        );
    }
    const accruals = kpis.open_accruals;
    cards.push(
        {
            key: "open_accruals", label: words.openAccruals, value: formatAmount(accruals.value),
            hint: fill(words.shipments, accruals.count), tone: "warning", drill: accruals.drill,
        },
        {
            key: "recovered", label: words.recovered, value: formatAmount(kpis.recovered.value),
            hint: words.billedMinusPaid, tone: "success", drill: kpis.recovered.drill,
        },
    );
    if (kpis.money_lost) {
        cards.push(moneyLostCard(words, kpis.money_lost));
    }
    return cards;
}

/** Money the carriers keep because no dispute reached them within their contract's window:
 * red as soon as one case is there, the cases' count as the hint. */
export function moneyLostCard(words: DashboardWords, lost: { value: number; count: number; drill: Drill }): KpiCard {
    return {
        key: "money_lost", label: words.moneyLost, value: formatAmount(lost.value),
        hint: fill(words.casesPastWindow, lost.count), tone: lost.count ? "danger" : "success",
        drill: lost.drill,
    };
}

export function spec(key: string, title: string, type: "bar" | "line", labels: string[], data: ChartData, options: { stacked?: boolean; percent?: boolean } = {}): ChartSpec {
    const datasets = data.series.map((series, index): ChartDataset => {
        const color = COLORS[index % COLORS.length] as string;
        const dataset: ChartDataset = { label: series.label, data: series.values, backgroundColor: color, borderColor: color };
        if (options.stacked) {
            dataset.stack = "total";
        }
        return dataset;
    });
    const y: Record<string, unknown> = { beginAtZero: true, stacked: Boolean(options.stacked) };
    if (options.percent) {
        y.max = 100;
    }
    return {
        key,
        title,
        config: {
            type,
            data: { labels, datasets },
            options: {
                maintainAspectRatio: false,
                // gaps stay gaps: a week without messages has no latency, not a zero one
                spanGaps: false,
                scales: { x: { stacked: Boolean(options.stacked) }, y },
            },
        },
        drills: data.series.map((series) => series.drills),
        empty: !data.series.some((series) => series.values.some((v) => v !== null && v !== 0)),
    };
}

export function chartSpecs(words: DashboardWords, answer: DashboardAnswer, locale = "en-US"): ChartSpec[] {
    const weeks = answer.weeks.map((week) => weekLabel(week, locale));
    const specs = [
        spec("auto_approval", words.chartAutoApproval, "bar", weeks, answer.auto_approval, { percent: true }),
        spec("carriers", words.chartCarriers, "bar", answer.carriers.labels ?? [], answer.carriers, { percent: true }),
        spec("recovered", words.chartRecovered, "bar", weeks, answer.recovered, { stacked: true }),
    ];
    if (answer.latency) {
        specs.push(spec("latency", words.chartLatency, "line", weeks, answer.latency));
    }
    specs.push(spec("accruals", words.chartAccruals, "bar", answer.accruals.labels ?? [], answer.accruals));
    return specs;
}

export function drillAt(chart: ChartSpec, datasetIndex: number, index: number): Drill | null {
    return chart.drills[datasetIndex]?.[index] ?? null;
}

export function drillAction(drill: Drill): WindowAction {
    const views: [false, string][] = LIST_ONLY.has(drill.model) ? [[false, "list"]] : [[false, "list"], [false, "form"]];
    return {
        type: "ir.actions.act_window",
        name: drill.name,
        res_model: drill.model,
        domain: drill.domain,
        views,
        target: "current",
    };
}

/** The route's parameters from the filter inputs; empty inputs let the server choose. */
export function routeParams(filters: { dateFrom: string; dateTo: string; carrierId: number | null }): Record<string, unknown> {
    const params: Record<string, unknown> = {};
    if (filters.dateFrom) {
        params.date_from = filters.dateFrom;
    }
    if (filters.dateTo) {
        params.date_to = filters.dateTo;
    }
    if (filters.carrierId) {
        params.carrier_id = filters.carrierId;
    }
    return params;
}

/** The sentence to show when the route fails: Odoo's message when it sent one. */
export function errorMessage(words: DashboardWords, error: unknown): string {
    return serverMessage(error, words.notLoaded);
}
