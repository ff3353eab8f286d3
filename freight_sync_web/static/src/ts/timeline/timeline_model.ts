/**
 * Pure view logic of the milestone timeline: no OWL, no Odoo, testable in Node.
 * The component hands it plain milestones and gets back what to draw.
 */
import { DateTime } from "luxon";
import { fill } from "../fill";
import { EXCEPTION_CODES } from "./labels";
import type { TimelineWords } from "./words";

/** A point in time as Odoo gives it: luxon object, ISO string, or "YYYY-MM-DD HH:mm:ss" UTC. */
export type TimeInput = DateTime | string | null | undefined | false;

export interface MilestoneInput {
    id: number | string;
    code: string;
    eventTime: TimeInput;
    receivedAt?: TimeInput;
    location?: string | false | null;
    /** the stop of a multi-stop trip the event happened at, 0/false when not said */
    stop?: number | false | null;
    rawCode?: string | false | null;
    reasonCode?: string | false | null;
    source?: string | false | null;
    note?: string | false | null;
    messageId?: number | false | null;
}

/** A status notification we sent (freight.subscription.delivery): told, not happened. */
export interface NoticeInput {
    id: number | string;
    when: TimeInput;
    /** "Mountain Tile Co. told of Delivered (email)" */
    text: string;
}

export interface TimelineOptions {
    /** the phrases, translated (words.ts) */
    words: TimelineWords;
    now: DateTime;
    plannedPickup?: TimeInput;
    plannedDelivery?: TimeInput;
    /** Shipment status: a cancelled shipment is never late. */
    status?: string | false | null;
    /** Latest delivery estimate reported by the carrier. */
    carrierEta?: TimeInput;
    /** Notifications sent about the shipment, shown among the milestones. */
    notices?: readonly NoticeInput[];
}

/** Planned against actual (or the carrier's estimate) for pickup and delivery. */
export interface PlanRow {
    key: "pickup" | "delivery";
    label: string;
    planned: string;
    actual: string;
    /** "actual" once it happened, "estimate" while only the carrier's ETA is known */
    actualKind: "actual" | "estimate" | "";
    delay: string;
    isLate: boolean;
}

export interface TimelineEntry {
    id: number | string;
    code: string;
    label: string;
    when: DateTime;
    relative: string;
    absolute: string;
    location: string;
    rawCode: string;
    reasonCode: string;
    sourceLabel: string;
    note: string;
    /** freight.message the milestone came from (0 when entered by hand) */
    messageId: number;
    isException: boolean;
    isLate: boolean;
    /** Received after an event that happened later: the carrier reported it late. */
    isOutOfOrder: boolean;
    tooltip: string;
}

export interface Timeline {
    entries: TimelineEntry[];
    plan: PlanRow[];
    isLate: boolean;
    lateReason: string;
    /** Milestones left out because their time could not be read. */
    skipped: number;
}

const PLANNED_BY_CODE: Readonly<Record<string, "plannedPickup" | "plannedDelivery">> = {
    picked_up: "plannedPickup",
    delivered: "plannedDelivery",
};

export function toDateTime(value: TimeInput): DateTime | null {
    if (!value) {
        return null;
    }
    if (DateTime.isDateTime(value)) {
        return value.isValid ? value : null;
    }
    const text = String(value).trim();
    // Odoo's server format is UTC without a zone marker.
    const parsed = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/.test(text)
        ? DateTime.fromSQL(text, { zone: "utc" })
        : DateTime.fromISO(text, { setZone: true });
    return parsed.isValid ? parsed : null;
}

function text(value: string | false | null | undefined): string {
    return value ? String(value) : "";
}

/** The milestone's name, with its stop when the trip has several ("Delivered (stop 3)"). */
export function labelOf(words: TimelineWords, m: Pick<MilestoneInput, "code" | "stop">): string {
    const name = words.milestones[m.code] ?? m.code;
    return m.stop ? fill(words.atStop, name, m.stop) : name;
}

function tooltipOf(words: TimelineWords, entry: Omit<TimelineEntry, "tooltip">, receivedAt: DateTime | null): string {
    const parts = [`${entry.label}: ${entry.absolute}`];
    if (entry.rawCode) {
        parts.push(fill(words.carrierCode, entry.rawCode + (entry.reasonCode ? ` / ${entry.reasonCode}` : "")));
    }
    if (entry.sourceLabel) {
        parts.push(fill(words.via, entry.sourceLabel));
    }
    if (receivedAt) {
        parts.push(fill(words.received, receivedAt.toLocal().toFormat("yyyy-LL-dd HH:mm")));
    }
    return parts.join(" · ");
}

/** Chronological entries (ties by id) with late, exception and out-of-order flags. */
export function buildTimeline(milestones: readonly MilestoneInput[], options: TimelineOptions): Timeline {
    const planned = {
        plannedPickup: toDateTime(options.plannedPickup),
        plannedDelivery: toDateTime(options.plannedDelivery),
    };
    const readable = milestones
        .map((m) => ({ m, when: toDateTime(m.eventTime), received: toDateTime(m.receivedAt) }))
        .filter((item): item is { m: MilestoneInput; when: DateTime; received: DateTime | null } =>
            item.when !== null,
        );
    readable.sort((a, b) => a.when.toMillis() - b.when.toMillis() || compareIds(a.m.id, b.m.id));

    // Walking from the latest event back, remember the earliest receipt seen so far: an event
    // received after that receipt reached us after something that happened later than it.
    const outOfOrder = new Set<number>();
    let earliestLaterReceipt = Infinity;
    for (let index = readable.length - 1; index >= 0; index--) {
        const received = readable[index].received?.toMillis();
        if (received === undefined) {
            continue;
        }
        if (received > earliestLaterReceipt) {
            outOfOrder.add(index);
        }
        earliestLaterReceipt = Math.min(earliestLaterReceipt, received);
    }

    const entries = readable.map(({ m, when, received }, index): TimelineEntry => {
        const plannedKey = PLANNED_BY_CODE[m.code];
        const plannedAt = plannedKey ? planned[plannedKey] : null;
        const base = {
            id: m.id,
            code: m.code,
            label: labelOf(options.words, m),
            when,
            relative: when.toRelative({ base: options.now }) ?? "",
            absolute: when.toLocal().toFormat("ccc dd LLL yyyy, HH:mm"),
            location: text(m.location),
            rawCode: text(m.rawCode),
            reasonCode: text(m.reasonCode),
            sourceLabel: options.words.sources[text(m.source)] ?? text(m.source),
            note: text(m.note),
            messageId: m.messageId || 0,
            isException: EXCEPTION_CODES.has(m.code),
            isLate: Boolean(plannedAt && when > plannedAt),
            isOutOfOrder: outOfOrder.has(index),
        };
        return { ...base, tooltip: tooltipOf(options.words, base, received) };
    });
    const late = lateness(entries, planned.plannedDelivery, options);
    const plan = planRows(entries, planned.plannedPickup, planned.plannedDelivery, options);
    return { entries: withNotices(entries, options), plan, ...late, skipped: milestones.length - readable.length };
}

/** The milestones with the notifications sent, in time order (a milestone first when
 * both share a moment: the notice tells of it). Notices never make anything late. */
function withNotices(entries: TimelineEntry[], options: TimelineOptions): TimelineEntry[] {
    const notices = (options.notices ?? []).flatMap((notice): TimelineEntry[] => {
        const when = toDateTime(notice.when);
        if (!when) {
            return [];
        }
        const base = {
            id: `notice-${notice.id}`, code: "notified", label: options.words.notified, when,
            relative: when.toRelative({ base: options.now }) ?? "",
            absolute: when.toLocal().toFormat("ccc dd LLL yyyy, HH:mm"),
            location: "", rawCode: "", reasonCode: "", sourceLabel: "", note: notice.text,
            messageId: 0, isException: false, isLate: false, isOutOfOrder: false,
        };
        return [{ ...base, tooltip: `${base.label}: ${notice.text} · ${base.absolute}` }];
    });
    if (!notices.length) {
        return entries;
    }
    // a stable sort keeps milestones (listed first) before notices of the same moment
    return [...entries, ...notices].sort((a, b) => a.when.toMillis() - b.when.toMillis());
}

const SHORT = "ccc dd LLL, HH:mm";

function planRows(entries: TimelineEntry[], pickup: DateTime | null, delivery: DateTime | null,
    options: TimelineOptions): PlanRow[] {
    const firstOf = (code: string) => entries.find((entry) => entry.code === code)?.when ?? null;
    const rows: PlanRow[] = [];
    const add = (key: PlanRow["key"], label: string, planned: DateTime | null, actual: DateTime | null,
        estimate: DateTime | null) => {
        const shown = actual ?? estimate;
        if (!planned && !shown) {
            return;
        }
        const isLate = Boolean(planned && ((shown && shown > planned) || (!shown && options.now > planned)));
        rows.push({
            key,
            label,
            planned: planned ? planned.toLocal().toFormat(SHORT) : "",
            actual: shown ? shown.toLocal().toFormat(SHORT) : "",
            actualKind: actual ? "actual" : shown ? "estimate" : "",
            delay: planned && isLate ? describeDelay(options.words, shown ?? options.now, planned) : "",
            isLate: isLate && options.status !== "cancelled",
        });
    };
    add("pickup", options.words.pickup, pickup, firstOf("picked_up"), null);
    add("delivery", options.words.delivery, delivery, firstOf("delivered"), toDateTime(options.carrierEta));
    return rows;
}

function lateness(entries: TimelineEntry[], plannedDelivery: DateTime | null, options: TimelineOptions) {
    if (!plannedDelivery || options.status === "cancelled") {
        return { isLate: false, lateReason: "" };
    }
    const delivered = entries.find((entry) => entry.code === "delivered");
    if (delivered) {
        return delivered.isLate
            ? { isLate: true, lateReason: fill(options.words.deliveredLate, describeDelay(options.words, delivered.when, plannedDelivery)) }
            : { isLate: false, lateReason: "" };
    }
    if (options.now > plannedDelivery) {
        return { isLate: true, lateReason: fill(options.words.notDelivered, describeDelay(options.words, options.now, plannedDelivery)) };
    }
    return { isLate: false, lateReason: "" };
}

function describeDelay(words: TimelineWords, actual: DateTime, planned: DateTime): string {
    const hours = actual.diff(planned, "hours").hours;
    return hours >= 48 ? fill(words.days, Math.floor(hours / 24)) : fill(words.hours, Math.max(1, Math.round(hours)));
}

function compareIds(a: number | string, b: number | string): number {
    return typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b));
}
