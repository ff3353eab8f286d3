import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { DateTime, Settings } from "luxon";
import { buildTimeline, toDateTime, type MilestoneInput, type TimeInput } from "../../freight_sync_web/static/src/ts/timeline/timeline_model";
import { timelineWords } from "../../freight_sync_web/static/src/ts/timeline/words";

const words = timelineWords();

Settings.defaultZone = "America/Chicago";
const now = DateTime.fromISO("2024-07-10T12:00:00Z");
const at = (iso: string) => DateTime.fromISO(iso, { zone: "utc" });

function milestone(id: number, code: string, eventTime: string, extra: Partial<MilestoneInput> = {}): MilestoneInput {
    return { id, code, eventTime: at(eventTime), ...extra };
}

describe("buildTimeline ordering", () => {
    it("orders by event time, not by arrival or id", () => {
        const timeline = buildTimeline(
            [
                milestone(3, "delivered", "2024-07-10T10:00:00Z"),
                milestone(1, "picked_up", "2024-07-09T08:00:00Z"),
                milestone(2, "in_transit", "2024-07-09T20:00:00Z"),
            ],
            { words, now },
        );
        assert.deepEqual(timeline.entries.map((e) => e.code), ["picked_up", "in_transit", "delivered"]);
    });

    it("breaks ties on equal times by id", () => {
        const same = "2024-07-09T08:00:00Z";
        const timeline = buildTimeline([milestone(9, "accepted", same), milestone(4, "tendered", same)], { words, now });
        assert.deepEqual(timeline.entries.map((e) => e.id), [4, 9]);
    });

    it("reads Odoo server strings (UTC) and ISO strings with offsets", () => {
        const timeline = buildTimeline(
            [
                { id: 1, code: "tendered", eventTime: "2024-07-09 13:00:00" },
                { id: 2, code: "accepted", eventTime: "2024-07-09T08:30:00-05:00" },
            ],
            { words, now },
        );
        assert.deepEqual(timeline.entries.map((e) => e.code), ["tendered", "accepted"]);
        assert.equal(timeline.entries[0].when.toUTC().toISO(), "2024-07-09T13:00:00.000Z");
    });

    it("skips milestones whose time cannot be read, and counts them", () => {
        const timeline = buildTimeline(
            [
                { id: 1, code: "tendered", eventTime: "not a date" },
                { id: 2, code: "accepted", eventTime: false },
                milestone(3, "picked_up", "2024-07-09T08:00:00Z"),
            ],
            { words, now },
        );
        assert.equal(timeline.entries.length, 1);
        assert.equal(timeline.skipped, 2);
    });

    it("is empty without milestones", () => {
        const timeline = buildTimeline([], { words, now, plannedDelivery: at("2024-07-11T00:00:00Z") });
        assert.deepEqual([timeline.entries, timeline.isLate, timeline.skipped], [[], false, 0]);
    });
});

describe("buildTimeline labels and times", () => {
    it("gives clerk-readable labels and keeps unknown codes visible", () => {
        const timeline = buildTimeline(
            [milestone(1, "pod_received", "2024-07-10T11:00:00Z"), milestone(2, "teleported", "2024-07-10T11:30:00Z")],
            { words, now },
        );
        assert.deepEqual(timeline.entries.map((e) => e.label), ["Proof of delivery received", "teleported"]);
    });

    it("names the stop of a multi-stop trip and its deliveries on the way", () => {
        const timeline = buildTimeline(
            [
                { ...milestone(1, "stop_delivered", "2024-07-10T11:00:00Z"), stop: 2 },
                { ...milestone(2, "delivered", "2024-07-10T16:00:00Z"), stop: 3 },
                { ...milestone(3, "pod_received", "2024-07-10T17:00:00Z"), stop: false },
            ],
            { words, now },
        );
        assert.deepEqual(timeline.entries.map((e) => e.label), [
            "Delivered at a stop (stop 2)",
            "Delivered (stop 3)",
            "Proof of delivery received",
        ]);
    });

    it("says how long ago, relative to now", () => {
        const timeline = buildTimeline([milestone(1, "picked_up", "2024-07-09T12:00:00Z")], { words, now });
        assert.equal(timeline.entries[0].relative, "1 day ago");
        assert.match(timeline.entries[0].absolute, /^Tue 09 Jul 2024, 07:00$/);
    });

    it("puts raw code, source and receipt time in the tooltip", () => {
        const timeline = buildTimeline(
            [milestone(1, "picked_up", "2024-07-09T12:00:00Z", { rawCode: "AF", reasonCode: "NS", source: "edi", receivedAt: at("2024-07-09T12:05:00Z") })],
            { words, now },
        );
        const [entry] = timeline.entries;
        assert.equal(entry.sourceLabel, "EDI 214");
        assert.equal(entry.tooltip, "Picked up: Tue 09 Jul 2024, 07:00 · carrier code AF / NS · via EDI 214 · received 2024-07-09 07:05");
    });
});

describe("buildTimeline flags", () => {
    it("marks exception, rejected and cancelled milestones", () => {
        const timeline = buildTimeline(
            ["tendered", "rejected", "exception", "cancelled", "delivered"].map((code, i) =>
                milestone(i, code, `2024-07-09T0${i}:00:00Z`),
            ),
            { words, now },
        );
        assert.deepEqual(timeline.entries.map((e) => e.isException), [false, true, true, true, false]);
    });

    it("marks a delivery after the planned time as late, with the delay", () => {
        const timeline = buildTimeline([milestone(1, "delivered", "2024-07-10T10:00:00Z")], {
            words,
            now,
            plannedDelivery: at("2024-07-10T06:00:00Z"),
        });
        assert.equal(timeline.entries[0].isLate, true);
        assert.deepEqual([timeline.isLate, timeline.lateReason], [true, "Delivered 4 h late"]);
    });

    it("marks a late pickup against the planned pickup only", () => {
        const timeline = buildTimeline(
            [milestone(1, "picked_up", "2024-07-09T10:00:00Z"), milestone(2, "in_transit", "2024-07-09T11:00:00Z")],
            { words, now, plannedPickup: at("2024-07-09T09:00:00Z"), plannedDelivery: at("2024-07-11T09:00:00Z") },
        );
        assert.deepEqual(timeline.entries.map((e) => e.isLate), [true, false]);
        assert.equal(timeline.isLate, false, "delivery is still ahead");
    });

    it("calls an undelivered shipment past its planned delivery late", () => {
        const timeline = buildTimeline([milestone(1, "in_transit", "2024-07-08T10:00:00Z")], {
            words,
            now,
            plannedDelivery: at("2024-07-08T12:00:00Z"),
        });
        assert.deepEqual([timeline.isLate, timeline.lateReason], [true, "Not delivered, 2 days past the planned delivery"]);
    });

    it("never calls an on-time or cancelled shipment late", () => {
        const planned = at("2024-07-10T06:00:00Z");
        const onTime = buildTimeline([milestone(1, "delivered", "2024-07-10T05:00:00Z")], { words, now, plannedDelivery: planned });
        const cancelled = buildTimeline([milestone(1, "cancelled", "2024-07-09T05:00:00Z")], {
            words,
            now,
            plannedDelivery: planned,
            status: "cancelled",
        });
        assert.deepEqual([onTime.isLate, cancelled.isLate], [false, false]);
    });

    it("flags events received after a later event: reported out of order", () => {
        const timeline = buildTimeline(
            [
                milestone(1, "picked_up", "2024-07-09T08:00:00Z", { receivedAt: at("2024-07-09T08:01:00Z") }),
                milestone(2, "at_terminal", "2024-07-09T20:00:00Z", { receivedAt: at("2024-07-09T20:01:00Z") }),
                milestone(3, "in_transit", "2024-07-09T14:00:00Z", { receivedAt: at("2024-07-10T09:00:00Z") }),
            ],
            { words, now },
        );
        assert.deepEqual(
            timeline.entries.map((e) => [e.code, e.isOutOfOrder]),
            [["picked_up", false], ["in_transit", true], ["at_terminal", false]],
        );
    });
});

describe("buildTimeline plan rows", () => {
    it("compares planned and actual pickup and delivery", () => {
        const timeline = buildTimeline(
            [milestone(1, "picked_up", "2024-07-09T10:00:00Z"), milestone(2, "delivered", "2024-07-10T05:00:00Z")],
            { words, now, plannedPickup: at("2024-07-09T08:00:00Z"), plannedDelivery: at("2024-07-10T06:00:00Z") },
        );
        assert.deepEqual(
            timeline.plan.map((row) => [row.key, row.actualKind, row.isLate, row.delay]),
            [["pickup", "actual", true, "2 h"], ["delivery", "actual", false, ""]],
        );
        assert.equal(timeline.plan[0].planned, "Tue 09 Jul, 03:00");
        assert.equal(timeline.plan[0].actual, "Tue 09 Jul, 05:00");
    });

    it("shows the carrier ETA until the delivery happens, late if after the plan", () => {
        const options = { words, now, plannedDelivery: at("2024-07-11T06:00:00Z"), carrierEta: at("2024-07-11T09:00:00Z") };
        const [row] = buildTimeline([milestone(1, "in_transit", "2024-07-09T10:00:00Z")], options).plan;
        assert.deepEqual([row.key, row.actualKind, row.isLate, row.delay], ["delivery", "estimate", true, "3 h"]);
        const delivered = buildTimeline([milestone(2, "delivered", "2024-07-11T05:00:00Z")], options).plan[0];
        assert.deepEqual([delivered.actualKind, delivered.isLate], ["actual", false]);
    });

    it("has no rows without plans or actuals, and a missed plan is late", () => {
        assert.deepEqual(buildTimeline([milestone(1, "tendered", "2024-07-09T10:00:00Z")], { words, now }).plan, []);
        const [row] = buildTimeline([], { words, now, plannedPickup: at("2024-07-10T08:00:00Z") }).plan;
        assert.deepEqual([row.key, row.actual, row.isLate, row.delay], ["pickup", "", true, "4 h"]);
    });
});

describe("buildTimeline notices", () => {
    it("shows the notifications sent among the milestones, in time order, never late", () => {
        const timeline = buildTimeline(
            [milestone(1, "picked_up", "2024-07-09T08:00:00Z"), milestone(2, "delivered", "2024-07-10T10:00:00Z")],
            {
                words, now, plannedDelivery: at("2024-07-10T09:00:00Z"),
                notices: [
                    { id: 7, when: "2024-07-10 10:00:00", text: "Acme told of Delivered (email)" },
                    { id: 6, when: "2024-07-09 08:01:00", text: "Acme told of Picked up (webhook)" },
                    { id: 8, when: false, text: "unreadable time: left out" },
                ],
            },
        );
        assert.deepEqual(timeline.entries.map((e) => [e.code, e.note]), [
            ["picked_up", ""],
            ["notified", "Acme told of Picked up (webhook)"],
            ["delivered", ""],
            ["notified", "Acme told of Delivered (email)"],
        ]);
        const notice = timeline.entries[1]!;
        assert.equal(notice.label, "Customer notified");
        assert.equal(notice.isLate, false);
        assert.equal(notice.id, "notice-6");
        // the delivery is late; telling of it is not
        assert.equal(timeline.entries[2]!.isLate, true);
        assert.equal(timeline.plan.find((row) => row.key === "delivery")!.actual !== "", true);
    });

    it("changes nothing without notices", () => {
        const milestones = [milestone(1, "picked_up", "2024-07-09T08:00:00Z")];
        assert.deepEqual(buildTimeline(milestones, { words, now, notices: [] }).entries,
            buildTimeline(milestones, { words, now }).entries);
    });
});

describe("toDateTime", () => {
    it("rejects empty and invalid values", () => {
        const values: TimeInput[] = [null, undefined, false, "", "2024-13-45 99:00:00", DateTime.invalid("test")];
        for (const value of values) {
            assert.equal(toDateTime(value), null);
        }
    });
});
