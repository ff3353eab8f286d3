/** Sends a simulated carrier feed to a live Odoo and reports what came back. */
import { build214 } from "./x12_214";
import { signedHeaders } from "./sign";
import { chunk, milestoneStream, toJsonBatch, type SimEvent } from "./stream";

export interface FeedOptions {
    baseUrl: string;
    apiKey: string;
    secret: string;
    pros: string[];
    format: "json" | "x12" | "mixed";
    batchSize?: number;
    seed?: number;
    duplicateRate?: number;
    outOfOrderRate?: number;
    malformedRate?: number;
    start?: Date;
    /** stop shipments at random points of their journey (default true) */
    partial?: boolean;
}

export interface FeedResult {
    requests: number;
    events: number;
    statuses: Record<number, number>;
    items: Record<string, number>;
    seconds: number;
}

async function send(url: string, body: string, headers: Record<string, string>) {
    const response = await fetch(url, { method: "POST", body, headers });
    const text = await response.text();
    let payload: Record<string, unknown> = {};
    try {
        payload = JSON.parse(text);
    } catch {
        payload = { raw: text };
    }
    return { status: response.status, payload };
}

export async function sendFeed(options: FeedOptions): Promise<FeedResult> {
    const events = milestoneStream({
        shipments: options.pros,
        start: options.start ?? new Date(Date.now() - 3 * 24 * 3600_000),
        seed: options.seed,
        duplicateRate: options.duplicateRate,
        outOfOrderRate: options.outOfOrderRate,
        malformedRate: options.malformedRate,
        partial: options.partial,
    });
    const result: FeedResult = { requests: 0, events: events.length, statuses: {}, items: {}, seconds: 0 };
    const started = performance.now();
    let control = Math.floor(Date.now() / 1000) % 900_000_000;
    for (const [index, batch] of chunk(events, options.batchSize ?? 50).entries()) {
        const asX12 = options.format === "x12" || (options.format === "mixed" && index % 2 === 1);
        const { status, payload } = asX12
            ? await sendX12(options, batch, ++control)
            : await send(`${options.baseUrl}/freight_sync/v1/events`, toJsonBatch(batch),
                  signedHeaders(toJsonBatch(batch), options.apiKey, options.secret, "application/json"));
        result.requests++;
        result.statuses[status] = (result.statuses[status] ?? 0) + 1;
        for (const item of (payload.items as { status: string }[] | undefined) ?? []) {
            result.items[item.status] = (result.items[item.status] ?? 0) + 1;
        }
    }
    result.seconds = (performance.now() - started) / 1000;
    return result;
}

function sendX12(options: FeedOptions, batch: SimEvent[], control: number) {
    // X12 carries no "malformed time": a defective event breaks its transaction set instead
    const broken = batch.findIndex((event) => event.defect === "malformed");
    const clean = batch.filter((event) => event.defect !== "malformed" || broken >= 0);
    const body = build214(clean, {
        sender: "SIMCARRIER", receiver: "FREIGHTSYNC", control, when: new Date(),
        breakSet: broken >= 0 ? 0 : undefined,
    });
    return send(`${options.baseUrl}/freight_sync/v1/edi`, body,
        signedHeaders(body, options.apiKey, options.secret, "application/edi-x12"));
}
