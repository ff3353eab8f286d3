/** The reconciliation workbench's view logic: pure, tested in Node. Phrases come in as
 * `words` (words.ts, translated), so nothing here is English-only. */
import { toDateTime } from "../timeline/timeline_model";
import { fill } from "../fill";
import type { Words } from "./words";

export { fill };

export const PAGE_SIZE = 40;
export const INVOICE_STATES = ["received", "audited", "exception", "disputed", "approved", "posted", "paid", "superseded", "rejected", "cancelled"] as const;
export const URL_KEYS = ["invoice", "states", "carrier", "over", "age", "mine", "q", "sort", "offset"] as const;
export const SORTS = ["date desc", "date asc", "variance desc", "amount desc", "carrier asc"] as const;

export interface QueueFilters {
    state: string[];
    carrierId: number | null;
    varianceAbove: number | null;
    ageDays: number | null;
    mine: boolean;
    search: string;
}

export interface WorkbenchState {
    filters: QueueFilters;
    sort: string;
    offset: number;
    invoiceId: number | null;
}

export const DEFAULT_STATE: WorkbenchState = {
    filters: { state: ["audited", "exception", "disputed"], carrierId: null, varianceAbove: null, ageDays: null, mine: false, search: "" },
    sort: "date desc",
    offset: 0,
    invoiceId: null,
};

/** Route params of POST /freight_sync/ui/v1/invoices/queue. */
export function queueParams(state: WorkbenchState, limit = PAGE_SIZE): Record<string, unknown> {
    const f = state.filters;
    const filters: Record<string, unknown> = {};
    if (f.state.length) filters.state = f.state;
    if (f.carrierId) filters.carrier_id = f.carrierId;
    if (f.varianceAbove !== null) filters.variance_above = f.varianceAbove;
    if (f.ageDays !== null) filters.age_days = f.ageDays;
    if (f.mine) filters.mine = true;
    if (f.search.trim()) filters.search = f.search.trim();
    return { filters, sort: state.sort, offset: state.offset, limit };
}

const num = (value: string | undefined): number | null => {
    if (value === undefined || value === "") return null;
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
};

/** The workbench's state as URL hash keys, so a reload or a shared link opens the same view. */
export function toUrl(state: WorkbenchState): Record<string, string> {
    const f = state.filters;
    const out: Record<string, string> = {};
    if (state.invoiceId) out.invoice = String(state.invoiceId);
    out.states = f.state.join(".");
    if (f.carrierId) out.carrier = String(f.carrierId);
    if (f.varianceAbove !== null) out.over = String(f.varianceAbove);
    if (f.ageDays !== null) out.age = String(f.ageDays);
    if (f.mine) out.mine = "1";
    if (f.search) out.q = f.search;
    if (state.sort !== DEFAULT_STATE.sort) out.sort = state.sort;
    if (state.offset) out.offset = String(state.offset);
    return out;
}

/** Odoo's router casts numeric hash values to numbers: read every key back as text. */
export function fromUrl(raw: Record<string, unknown>): WorkbenchState {
    const hash: Record<string, string | undefined> = {};
    for (const [key, value] of Object.entries(raw)) {
        if (value !== undefined && value !== null) hash[key] = String(value);
    }
    const states = hash.states === undefined ? DEFAULT_STATE.filters.state
        : hash.states.split(".").filter((s) => (INVOICE_STATES as readonly string[]).includes(s));
    const sort = (SORTS as readonly string[]).includes(hash.sort ?? "") ? hash.sort! : DEFAULT_STATE.sort;
    const offset = Math.max(0, Math.floor(num(hash.offset) ?? 0));
    const invoice = num(hash.invoice);
    return {
        filters: {
            state: states,
            carrierId: num(hash.carrier),
            varianceAbove: num(hash.over),
            ageDays: num(hash.age),
            mine: hash.mine === "1",
            search: hash.q ?? "",
        },
        sort,
        offset,
        invoiceId: invoice && invoice > 0 ? invoice : null,
    };
}

export type Command = "next" | "previous" | "approve" | "dispute" | "accept" | "search" | "help" | "escape";

/** Keyboard shortcuts: j/k move, a approve, d dispute, s accept the suggestion, / search, ? help. Typing in a field
 * is left alone, except Escape (leave the field). */
export function commandFor(key: string, inField: boolean, modifiers = false): Command | null {
    if (key === "Escape") return "escape";
    if (inField || modifiers) return null;
    const map: Record<string, Command> = { j: "next", k: "previous", a: "approve", d: "dispute", s: "accept", "/": "search", "?": "help" };
    return map[key] ?? null;
}

export type Overlay = "none" | "help" | "preview";

/** Whether a key's command may run while something covers the invoice: Escape always
 * (it closes it), ? only over the help; nothing reaches the invoice under the packet preview. */
export function keyAllowed(command: Command, overlay: Overlay): boolean {
    if (command === "escape" || overlay === "none") return true;
    return overlay === "help" && command === "help";
}

/** The row after (or before) the selected one; stays in bounds. */
export function moveSelection(ids: readonly number[], current: number | null, step: 1 | -1): number | null {
    if (!ids.length) return null;
    const index = current === null ? -1 : ids.indexOf(current);
    if (index < 0) return ids[0];
    return ids[Math.min(ids.length - 1, Math.max(0, index + step))];
}

export interface PageInfo {
    from: number;
    to: number;
    total: number;
    /** the total is a lower bound: "of 10,040+" */
    capped: boolean;
    hasPrevious: boolean;
    hasNext: boolean;
}

export function pageInfo(offset: number, shown: number, total: number, capped = false): PageInfo {
    return {
        from: total ? offset + 1 : 0,
        to: offset + shown,
        total,
        capped,
        hasPrevious: offset > 0,
        hasNext: offset + shown < total,
    };
}

export function money(amount: number | null | undefined, currency = ""): string {
    if (amount === null || amount === undefined) return "—";
    const text = Math.abs(amount).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    return `${amount < 0 ? "−" : ""}${text}${currency ? ` ${currency}` : ""}`;
}

/** A variance in words a clerk reads at a glance. */
export function varianceLabel(words: Words, variance: number | null | undefined, currency = ""): string {
    if (variance === null || variance === undefined) return words.noExpectation;
    if (Math.abs(variance) < 0.005) return words.asExpected;
    return variance > 0 ? fill(words.overBy, money(variance, currency)) : fill(words.underBy, money(-variance, currency));
}

export function varianceTone(variance: number | null | undefined, allowance: number | null | undefined): "ok" | "warn" | "bad" {
    if (variance === null || variance === undefined) return "warn";
    if (variance <= 0.005) return "ok";
    return allowance !== null && allowance !== undefined && variance <= allowance + 0.005 ? "warn" : "bad";
}

export interface BulkResult {
    id: number;
    ok: boolean;
    message: string;
}

export function bulkSummary(words: Words, results: readonly BulkResult[]): string {
    const approved = results.filter((r) => r.ok).length;
    const skipped = results.length - approved;
    return skipped ? fill(words.approvedAndSkipped, approved, skipped) : fill(words.approvedCount, approved);
}

/** The URL keys of this state, with the ones not in use cleared (undefined removes a key). */
export function urlPatch(state: WorkbenchState): Record<string, string | undefined> {
    const patch: Record<string, string | undefined> = Object.fromEntries(URL_KEYS.map((k) => [k, undefined]));
    return Object.assign(patch, toUrl(state));
}

export type ActionName = "approve" | "override" | "short_pay" | "dispute" | "reject" | "reaudit";

/** Every decision but a plain approval is kept with its reason. */
export function needsReason(action: ActionName): boolean {
    return action !== "approve" && action !== "reaudit";
}

/** A short-pay's amount as the clerk typed it: more than 0 and at most what was billed,
 * else null (the server checks again). */
export function shortPayAmount(text: string, billed: number): number | null {
    const amount = Number(text.trim().replace(",", "."));
    return text.trim() && Number.isFinite(amount) && amount > 0 && amount <= billed + 0.005 ? amount : null;
}

/** The amount a short-pay form proposes: the expected total of the priced lines, or
 * nothing when none could be priced (a 0.00 bill is never proposed). */
export function proposedAmount(expectedTotal: number): string {
    return expectedTotal > 0 ? expectedTotal.toFixed(2) : "";
}

/** What stops the clerk's form from being sent, or null when it can go. */
export function formProblem(
    words: Words, action: ActionName, reason: string, reasonCode: string, amount = "", billed = 0,
): string | null {
    if (action === "dispute" && !reasonCode) return words.chooseReason;
    if (needsReason(action) && !reason.trim()) return words.sayWhy;
    if (action === "short_pay" && shortPayAmount(amount, billed) === null) return fill(words.amountToPay, billed.toFixed(2));
    return null;
}

/** Bulk approval goes in small chunks so the progress bar moves and one slow bill does not
 * hold the whole batch. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
    const out: T[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    return out;
}

export function percent(done: number, total: number): number {
    return total ? Math.round((100 * done) / total) : 0;
}

/** A server UTC time shown in the clerk's own zone, e.g. "Nov 27, 2026, 4:28 PM". */
export function localTime(utc: string | false | null | undefined, zone?: string): string {
    const when = toDateTime(utc);
    if (!when) return "";
    return (zone ? when.setZone(zone) : when.toLocal()).toLocaleString({
        year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit",
    });
}

/** The variance's colour: within the tolerance it is a warning, beyond it a problem. */
export function varianceToneOf(variance: number, withinTolerance: boolean): "ok" | "warn" | "bad" {
    if (variance <= 0.005) return "ok";
    return withinTolerance ? "warn" : "bad";
}

export function doneMessage(words: Words, invoice: string, action: ActionName): string {
    return fill(words.done[action], invoice);
}

/** An ISO date (YYYY-MM-DD) as the reader's locale writes it. */
export function localDate(iso: string | false | null | undefined): string {
    if (!iso) return "";
    const [y, m, d] = iso.split("-").map(Number);
    if (!y || !m || !d) return iso;
    return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString("en-US", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
}
