import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { milestoneStream, toJsonBatch, chunk } from "../sim/stream";
import { build214 } from "../sim/x12_214";
import { signedHeaders } from "../sim/sign";
import { createHmac } from "node:crypto";

const start = new Date("2024-07-08T12:00:00Z");
const pros = Array.from({ length: 30 }, (_, i) => `PRO${i}`);

describe("milestoneStream", () => {
    it("is deterministic for a seed and differs across seeds", () => {
        const a = milestoneStream({ shipments: pros, start, seed: 7, duplicateRate: 0.2, outOfOrderRate: 0.2 });
        const b = milestoneStream({ shipments: pros, start, seed: 7, duplicateRate: 0.2, outOfOrderRate: 0.2 });
        const c = milestoneStream({ shipments: pros, start, seed: 8, duplicateRate: 0.2, outOfOrderRate: 0.2 });
        assert.deepEqual(a, b);
        assert.notDeepEqual(a, c);
    });

    it("never reports an event later than now, however many shipments", () => {
        const now = new Date("2024-07-11T12:00:00Z");
        const many = Array.from({ length: 600 }, (_, i) => `PRO${i}`);
        const events = milestoneStream({ shipments: many, start, now, partial: false });
        assert.ok(events.length > 0);
        assert.ok(events.every((e) => Date.parse(e.eventTime) <= now.getTime()));
        // the first shipments have arrived, the last ones are still on the road
        assert.ok(events.some((e) => e.pro === "PRO0" && e.code === "delivered"));
        assert.ok(!events.some((e) => e.pro === "PRO599" && e.code === "delivered"));
    });

    it("sends clean streams in event order, one event per id", () => {
        const events = milestoneStream({ shipments: pros, start, partial: false });
        assert.equal(events.length, pros.length * 7);
        const times = events.map((e) => Date.parse(e.eventTime));
        assert.deepEqual(times, [...times].sort((x, y) => x - y));
        assert.equal(new Set(events.map((e) => e.id)).size, events.length);
        assert.ok(events.every((e) => /[+-]\d{2}:\d{2}$/.test(e.eventTime)));
    });

    it("adds duplicates, late reports and malformed events at about the asked rates", () => {
        const events = milestoneStream({ shipments: pros, start, partial: false, seed: 3,
            duplicateRate: 0.1, outOfOrderRate: 0.2, malformedRate: 0.05 });
        const clean = pros.length * 7;
        const duplicates = events.filter((e) => e.defect === "duplicate").length;
        const malformed = events.filter((e) => e.defect === "malformed");
        assert.ok(duplicates > clean * 0.03 && duplicates < clean * 0.2, `duplicates ${duplicates}`);
        assert.ok(malformed.length > 0 && malformed.every((e) => !/[+-]\d{2}:\d{2}$/.test(e.eventTime)));
        const times = events.filter((e) => !e.defect).map((e) => Date.parse(e.eventTime));
        const backwards = times.filter((t, i) => i > 0 && t < times[i - 1]).length;
        assert.ok(backwards > 0, "some events must arrive after later ones");
    });

    it("serializes JSON batches and chunks them", () => {
        const events = milestoneStream({ shipments: ["P1"], start, partial: false });
        const body = JSON.parse(toJsonBatch(events.slice(0, 2)));
        assert.deepEqual(Object.keys(body.events[0]).sort(), ["code", "event_time", "id", "location", "shipment"]);
        assert.deepEqual(body.events[0].shipment, { pro_number: "P1" });
        assert.deepEqual(chunk([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
    });
});

describe("build214", () => {
    const events = milestoneStream({ shipments: ["P1", "P2"], start, partial: false });
    const options = { sender: "SIMCARRIER", receiver: "FREIGHTSYNC", control: 42, when: start };

    it("writes a fixed-width ISA and consistent envelope counts", () => {
        const text = build214(events, options);
        const segments = text.split("~\n").filter(Boolean);
        assert.equal(segments[0].length, 105, "ISA is 106 characters with its terminator");
        assert.equal(segments[0].at(-1), ">");
        const sets = segments.filter((s) => s.startsWith("ST*"));
        assert.equal(sets.length, 2);
        let count = 0;
        for (const segment of segments.slice(2, -2)) {
            count++;
            if (segment.startsWith("SE*")) {
                assert.equal(Number(segment.split("*")[1]), count, "SE01 counts ST..SE");
                count = 0;
            }
        }
        assert.equal(segments.at(-2), "GE*2*42");
        assert.equal(segments.at(-1), "IEA*1*000000042");
    });

    it("reports local time with its time code", () => {
        const text = build214(events.slice(0, 1), options);
        const at7 = text.split("~\n").find((s) => s.startsWith("AT7"))!;
        const [, code, reason, , , date, time, zone] = at7.split("*");
        assert.deepEqual([code, reason, date.length, time.length, zone], ["X3", "NS", 8, 4, "ES"]);
    });

    it("can break one transaction set on purpose", () => {
        const good = build214(events, options);
        const bad = build214(events, { ...options, breakSet: 0 });
        assert.notEqual(good, bad);
        assert.equal(good.length, bad.length);
    });
});

describe("signedHeaders", () => {
    it("signs timestamp.body with HMAC-SHA256", () => {
        const headers = signedHeaders("{}", "fsk_x", "secret", "application/json", 1_720_000_000_000);
        const expected = createHmac("sha256", "secret").update("1720000000.{}").digest("hex");
        assert.deepEqual(headers, {
            "Content-Type": "application/json",
            "X-Freight-Key": "fsk_x",
            "X-Freight-Timestamp": "1720000000",
            "X-Freight-Signature": `sha256=${expected}`,
        });
    });
});
