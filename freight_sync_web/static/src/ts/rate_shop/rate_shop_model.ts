// The rate-shop panel's view logic, free of OWL so Node can test it: the route's answer
// turned into table rows (money, breakdown, figures, the best-value explanation), the sort
// the dispatcher picked, and the keyboard's selected row.
import { fill } from "../fill";
import type { RateShopWords } from "./words";

export type Sort = "cost" | "speed" | "best_value";
export const SORTS: readonly Sort[] = ["cost", "speed", "best_value"];
/** The figures of a carrier's scorecard shown per quote (services/scorecard.py FIGURES). */
export const FIGURES = ["on_time", "invoice_accuracy", "dispute_win", "tender_acceptance"] as const;
export type Figure = (typeof FIGURES)[number];

export interface Part {
    key: string;
    label: string;
    value: number | null;
    normalised: number;
    weight: number;
    points: number;
}

/** One quote as freight.rate.shop._shop answers it. */
export interface Quote {
    carrier_id: number;
    carrier_name: string | null;
    contract_id: number;
    lane_id: number;
    currency: string;
    total: number;
    total_company: number;
    amounts: Record<string, number>;
    transit_days: number | null;
    minimum_applied: boolean;
    weight_band: string | null;
    scorecard: Partial<Record<Figure, number | null>>;
    score: number;
    breakdown: Part[];
    notes: string[];
}

export interface RateShopAnswer {
    shipment_id: number;
    sort: Sort;
    date: string;
    currency: string;
    current_carrier_id: number | null;
    suggested_carrier_id: number | null;
    quotes: Quote[];
    excluded: { carrier_id: number; carrier_name: string | null; reason: string }[];
    weights: Record<string, number>;
    /** charge codes of linehaul and fuel; 400 and 405 (the defaults) when not sent */
    codes?: { linehaul: string; fuel: string };
}

export interface Row {
    carrierId: number;
    carrier: string;
    total: string;
    linehaul: string;
    fuel: string;
    accessorial: string;
    transit: string;
    figures: { key: Figure; label: string; value: string }[];
    score: string;
    explanation: string;
    explanationLines: string[];
    notes: string;
    suggested: boolean;
    current: boolean;
    quote: Quote;
}

const DEFAULT_CODES = { linehaul: "400", fuel: "405" };
const KEY_SORTS: Record<string, Sort> = { 1: "cost", 2: "speed", 3: "best_value" };

export function formatMoney(amount: number, currency: string): string {
    const text = amount.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    return currency ? text + " " + currency : text;
}

export function formatPercent(value: number | null | undefined, words: RateShopWords): string {
    return value === null || value === undefined ? words.notStated : value.toFixed(1) + " %";
}

export function formatDays(days: number | null, words: RateShopWords): string {
    if (days === null) {
        return words.notStated;
    }
    return days === 1 ? words.oneDay : fill(words.days, days);
}

/** Linehaul, fuel and everything else (accessorials) of a quote's amounts. */
export function splitAmounts(amounts: Record<string, number>, codes = DEFAULT_CODES): { linehaul: number; fuel: number; accessorial: number } {
    const split = { linehaul: 0, fuel: 0, accessorial: 0 };
    for (const [code, amount] of Object.entries(amounts)) {
        const kind = code === codes.linehaul ? "linehaul" : code === codes.fuel ? "fuel" : "accessorial";
        split[kind] = Math.round((split[kind] + amount) * 100) / 100;
    }
    return split;
}

/** The server's notes in the user's language (unknown ones as sent). */
export function noteText(note: string, quote: Quote, words: RateShopWords): string {
    const known: Record<string, string> = {
        cheapest: words.notes.cheapest,
        fastest: words.notes.fastest,
        "minimum charge applies": words.notes.minimum,
        "no transit time in the contract (half marks)": words.notes.noTransit,
    };
    if (known[note]) {
        return known[note] as string;
    }
    if (note.startsWith("no history for")) {
        const missing = quote.breakdown
            .filter((part) => part.value === null && part.key !== "transit" && part.key !== "cost")
            .map((part) => (words.parts[part.key] ?? part.label).toLowerCase());
        return fill(words.notes.noHistory, missing.join(", "));
    }
    return note;
}

/** Why the quote scores what it scores: one line per weighted part. */
export function explanationLines(quote: Quote, words: RateShopWords): string[] {
    return quote.breakdown.map((part) =>
        fill(words.partLine, words.parts[part.key] ?? part.label, part.points.toFixed(1), Math.round(part.weight * 100)));
}

function transitKey(quote: Quote): [number, number] {
    return [quote.transit_days === null ? 1 : 0, quote.transit_days ?? 0];
}

function compareKeys(a: number[], b: number[]): number {
    for (let i = 0; i < a.length; i++) {
        const diff = (a[i] as number) - (b[i] as number);
        if (diff) {
            return diff;
        }
    }
    return 0;
}

/** The quotes in the order services/rate_shop.py's rank() gives for `sort` (same ties). */
export function sortQuotes(quotes: Quote[], sort: Sort): Quote[] {
    const keys: Record<Sort, (q: Quote) => number[]> = {
        cost: (q) => [q.total_company, ...transitKey(q), -q.score, q.carrier_id],
        speed: (q) => [...transitKey(q), q.total_company, -q.score, q.carrier_id],
        best_value: (q) => [-q.score, q.total_company, ...transitKey(q), q.carrier_id],
    };
    const key = keys[sort];
    return [...quotes].sort((a, b) => compareKeys(key(a), key(b)));
}

/** The carrier best value puts first: the panel's suggestion whatever the sort shown. */
export function suggestedCarrier(answer: RateShopAnswer): number | null {
    const [first] = sortQuotes(answer.quotes, "best_value");
    return first ? first.carrier_id : null;
}

export function buildRows(answer: RateShopAnswer, sort: Sort, words: RateShopWords): Row[] {
    const suggested = suggestedCarrier(answer);
    const codes = answer.codes ?? DEFAULT_CODES;
    return sortQuotes(answer.quotes, sort).map((quote): Row => {
        const split = splitAmounts(quote.amounts, codes);
        const lines = explanationLines(quote, words);
        const notes = quote.notes.map((note) => noteText(note, quote, words));
        return {
            carrierId: quote.carrier_id,
            carrier: quote.carrier_name || String(quote.carrier_id),
            total: formatMoney(quote.total, quote.currency),
            linehaul: formatMoney(split.linehaul, ""),
            fuel: formatMoney(split.fuel, ""),
            accessorial: formatMoney(split.accessorial, ""),
            transit: formatDays(quote.transit_days, words),
            figures: FIGURES.map((key) => ({ key, label: words.parts[key] as string, value: formatPercent(quote.scorecard[key], words) })),
            score: quote.score.toFixed(1),
            explanation: [fill(words.scoreOf, quote.score.toFixed(1)), ...lines].join("\n"),
            explanationLines: lines,
            notes: notes.join(", "),
            suggested: quote.carrier_id === suggested,
            current: quote.carrier_id === answer.current_carrier_id,
            quote,
        };
    });
}

/** The sort a key press asks for (1 cost, 2 speed, 3 best value), or null. */
export function sortForKey(key: string): Sort | null {
    return KEY_SORTS[key] ?? null;
}

/** The selected row after an arrow key: stays within the table, starts at the top. */
export function moveSelection(index: number, delta: number, count: number): number {
    if (count <= 0) {
        return -1;
    }
    if (index < 0) {
        return delta > 0 ? 0 : count - 1;
    }
    return Math.min(count - 1, Math.max(0, index + delta));
}

/** The row to select first: the suggestion. */
export function initialSelection(rows: Row[]): number {
    const index = rows.findIndex((row) => row.suggested);
    return rows.length ? Math.max(0, index) : -1;
}

/** The selection after a sort change: the same carrier, wherever it moved. */
export function keepSelection(before: Row[], after: Row[], index: number): number {
    const carrier = before[index]?.carrierId;
    const found = after.findIndex((row) => row.carrierId === carrier);
    return found >= 0 ? found : initialSelection(after);
}
