/** What a freight.exception card shows and offers: pure, tested in Node. */
import { fill } from "../fill";
import { serverMessage } from "../server_error";
import type { KanbanWords } from "./words";

export type Tone = "info" | "success" | "warning" | "danger" | "secondary";
export type AgingBucket = "closed" | "overdue" | "due_soon" | "fresh" | "aging" | "stale";

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
/** a deadline closer than this turns the badge orange */
export const DUE_SOON_MS = DAY;
/** case age (days) from which the badge turns orange, then red */
export const AGING_DAYS = 2;
export const STALE_DAYS = 7;

export interface AgingInput {
    created: Date | null;
    deadline: Date | null;
    closed: boolean;
    now: Date;
}

export interface AgingBadge {
    bucket: AgingBucket;
    tone: Tone;
    label: string;
    /** whole days since the case was opened */
    ageDays: number;
}

/** "<1h", "5h", "3d": short enough for a kanban card */
export function shortDuration(ms: number): string {
    const safe = Math.max(ms, 0);
    if (safe < HOUR) {
        return "<1h";
    }
    return safe < DAY ? `${Math.floor(safe / HOUR)}h` : `${Math.floor(safe / DAY)}d`;
}

/** The deadline wins over the age: an overdue case is red however young it is. */
export function agingBadge(words: KanbanWords, { created, deadline, closed, now }: AgingInput): AgingBadge {
    const ageMs = created ? now.getTime() - created.getTime() : 0;
    const ageDays = Math.max(Math.floor(ageMs / DAY), 0);
    const age = shortDuration(ageMs);
    if (closed) {
        return { bucket: "closed", tone: "secondary", label: age, ageDays };
    }
    if (deadline) {
        const left = deadline.getTime() - now.getTime();
        if (left < 0) {
            return { bucket: "overdue", tone: "danger", label: fill(words.overdue, shortDuration(-left)), ageDays };
        }
        if (left < DUE_SOON_MS) {
            return { bucket: "due_soon", tone: "warning", label: fill(words.dueIn, shortDuration(left)), ageDays };
        }
    }
    if (ageDays >= STALE_DAYS) {
        return { bucket: "stale", tone: "danger", label: age, ageDays };
    }
    if (ageDays >= AGING_DAYS) {
        return { bucket: "aging", tone: "warning", label: age, ageDays };
    }
    return { bucket: "fresh", tone: "info", label: age, ageDays };
}

export interface CurrencyFormat {
    symbol: string;
    position: "before" | "after";
    /** Odoo's [precision, decimals]; only the decimals count */
    digits?: [number, number];
}

export interface NumberFormat {
    thousandsSep: string;
    decimalPoint: string;
}

const NBSP = "\u00a0";

function groupThousands(integer: string, sep: string): string {
    return integer.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
}

/** The amount at stake as the card shows it, or null when nothing is at stake. */
export function formatAmount(
    amount: number | null | undefined | false,
    currency?: CurrencyFormat | null,
    numbers: NumberFormat = { thousandsSep: ",", decimalPoint: "." },
): string | null {
    if (typeof amount !== "number" || !Number.isFinite(amount) || amount === 0) {
        return null;
    }
    const decimals = currency?.digits?.[1] ?? 2;
    const [integer, fraction] = Math.abs(amount).toFixed(decimals).split(".");
    const digits = groupThousands(integer ?? "0", numbers.thousandsSep) + (fraction ? numbers.decimalPoint + fraction : "");
    const sign = amount < 0 ? "-" : "";
    if (!currency) {
        return sign + digits;
    }
    return currency.position === "after"
        ? `${sign}${digits}${NBSP}${currency.symbol}`
        : `${sign}${currency.symbol}${NBSP}${digits}`;
}

export type QuickActionName = "assign_to_me" | "dispute" | "resolve";

export interface QuickAction {
    name: QuickActionName;
    /** the freight.exception method the button calls */
    method: `action_${QuickActionName}`;
    label: string;
    icon: string;
    /** asks for a note (and a reason) before calling the server */
    needsNote: boolean;
}

function actions(words: KanbanWords): Record<QuickActionName, QuickAction> {
    return {
        assign_to_me: { name: "assign_to_me", method: "action_assign_to_me", label: words.assignToMe, icon: "fa-user-plus", needsNote: false },
        dispute: { name: "dispute", method: "action_dispute", label: words.dispute, icon: "fa-gavel", needsNote: true },
        resolve: { name: "resolve", method: "action_resolve", label: words.resolve, icon: "fa-check", needsNote: true },
    };
}

export interface CardState {
    closed: boolean;
    /** already in "Waiting on Carrier": disputing again would not move it */
    waiting: boolean;
    assigneeId: number | false;
    currentUserId: number;
    /** sample data: nothing to click */
    readonly: boolean;
}

export function quickActions(words: KanbanWords, card: CardState): QuickAction[] {
    if (card.readonly || card.closed) {
        return [];
    }
    const names: QuickActionName[] = [];
    if (card.assigneeId !== card.currentUserId) {
        names.push("assign_to_me");
    }
    if (!card.waiting) {
        names.push("dispute");
    }
    names.push("resolve");
    const all = actions(words);
    return names.map((name) => all[name]);
}

export function avatarUrl(userId: number | false): string | null {
    return userId ? `/web/image/res.users/${userId}/avatar_128` : null;
}

export function errorMessage(words: KanbanWords, error: unknown): string {
    return serverMessage(error, words.failed);
}
