/**
 * Realistic milestone streams for a set of shipments, as a carrier would send them:
 * mostly in order, some resent (duplicates), some reported late (out of order), a few
 * broken (malformed). Pure: no network, deterministic for a seed.
 */
import { seededRandom } from "./random";

export interface SimEvent {
    id: string;
    pro: string;
    code: string;
    /** ISO 8601 with offset, as the carrier reports it */
    eventTime: string;
    location: string;
    /** what the simulator broke on purpose, if anything */
    defect?: "duplicate" | "malformed";
}

export interface StreamOptions {
    shipments: string[];
    start: Date;
    /** no event happens after this instant (default: the time of the call): a journey
     * that would end later is still under way */
    now?: Date;
    seed?: number;
    duplicateRate?: number;
    outOfOrderRate?: number;
    malformedRate?: number;
    /** stop each shipment at a random point of its journey (default true) */
    partial?: boolean;
}

const JOURNEY: [code: string, hoursAfterStart: number][] = [
    ["pickup_arrived", 2],
    ["picked_up", 3],
    ["in_transit", 12],
    ["at_terminal", 20],
    ["in_transit", 26],
    ["out_for_delivery", 40],
    ["delivered", 44],
];
const CITIES = ["Nashville, TN", "Louisville, KY", "Indianapolis, IN", "Chicago, IL", "Dayton, OH", "Columbus, OH", "Memphis, TN"];

function isoWithOffset(date: Date, offsetHours: number): string {
    const local = new Date(date.getTime() + offsetHours * 3600_000);
    const sign = offsetHours < 0 ? "-" : "+";
    const hh = String(Math.abs(offsetHours)).padStart(2, "0");
    return `${local.toISOString().slice(0, 19)}${sign}${hh}:00`;
}

/** Events in the order they are sent. */
export function milestoneStream(options: StreamOptions): SimEvent[] {
    const random = seededRandom(options.seed ?? 1);
    const events: SimEvent[] = [];
    const now = (options.now ?? new Date()).getTime();
    options.shipments.forEach((pro, index) => {
        const stops = options.partial === false ? JOURNEY.length : 1 + Math.floor(random() * JOURNEY.length);
        const start = new Date(options.start.getTime() + index * 600_000);
        JOURNEY.slice(0, stops).forEach(([code, hours], step) => {
            const when = new Date(start.getTime() + hours * 3600_000);
            if (when.getTime() > now) {
                return; // has not happened yet: the receiver refuses events from the future
            }
            events.push({
                id: `${pro}-${step}`,
                pro,
                code,
                eventTime: isoWithOffset(when, -5 - (index % 3)),
                location: CITIES[(index + step) % CITIES.length],
            });
        });
    });
    // interleave shipments by event time, as a carrier's feed does
    events.sort((a, b) => Date.parse(a.eventTime) - Date.parse(b.eventTime));
    return disorder(events, random, options);
}

function disorder(events: SimEvent[], random: () => number, options: StreamOptions): SimEvent[] {
    const sent: SimEvent[] = [];
    const delayed: SimEvent[] = [];
    for (const event of events) {
        if (random() < (options.outOfOrderRate ?? 0)) {
            delayed.push(event); // reported after the events that follow it
            continue;
        }
        sent.push(event);
        if (random() < (options.duplicateRate ?? 0)) {
            sent.push({ ...event, defect: "duplicate" });
        }
        if (random() < (options.malformedRate ?? 0)) {
            sent.push({ ...event, id: `${event.id}-bad`, eventTime: event.eventTime.slice(0, 19), defect: "malformed" });
        }
    }
    return [...sent, ...delayed];
}

/** JSON body of POST /freight_sync/v1/events (malformed events have no UTC offset). */
export function toJsonBatch(events: SimEvent[]): string {
    return JSON.stringify({
        events: events.map((e) => ({
            id: e.id,
            shipment: { pro_number: e.pro },
            code: e.code,
            event_time: e.eventTime,
            location: e.location,
        })),
    });
}

export function chunk<T>(items: T[], size: number): T[][] {
    const chunks: T[][] = [];
    for (let i = 0; i < items.length; i += size) {
        chunks.push(items.slice(i, i + size));
    }
    return chunks;
}
