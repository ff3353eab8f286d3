/** @odoo-module **/
// QUnit tests of the milestone timeline field widget, on a mock server, in a real Odoo page.

import { makeFakeUserService } from "@web/../tests/helpers/mock_services";
import {
    getFixture, nextTick, patchDate, patchTimeZone, patchWithCleanup,
} from "@web/../tests/helpers/utils";
import { makeView, setupViewRegistries } from "@web/../tests/views/helpers";
import { browser } from "@web/core/browser/browser";
import { registry } from "@web/core/registry";

const CODES = [
    ["tendered", "Tendered"], ["accepted", "Tender accepted"], ["picked_up", "Picked up"],
    ["in_transit", "In transit"], ["delivered", "Delivered"], ["exception", "Exception"],
    ["stop_delivered", "Delivered at a stop"],
];
const FORM = `<form><sheet>
    <field name="name"/><field name="status"/>
    <field name="planned_pickup_date"/><field name="planned_delivery_date"/><field name="carrier_eta"/>
    <field name="milestone_ids" widget="freight_milestone_timeline"/>
</sheet></form>`;

function milestone(id, code, eventTime, extra = {}) {
    return { id, shipment_id: 1, code, event_time: eventTime, received_at: eventTime, ...extra };
}

let serverData;
let target;

QUnit.module("freight_sync_web", (hooks) => {
    hooks.beforeEach(() => {
        target = getFixture();
        patchTimeZone(0);
        patchDate(2024, 6, 10, 12, 0, 0); // 10 July 2024, 12:00 UTC
        serverData = {
            models: {
                "freight.shipment": {
                    fields: {
                        name: { string: "Shipment", type: "char" },
                        status: { string: "Status", type: "selection", selection: CODES },
                        planned_pickup_date: { string: "Planned pickup", type: "datetime" },
                        planned_delivery_date: { string: "Planned delivery", type: "datetime" },
                        carrier_eta: { string: "Carrier ETA", type: "datetime" },
                        milestone_ids: {
                            string: "Milestones", type: "one2many", relation: "freight.milestone",
                            relation_field: "shipment_id",
                        },
                    },
                    records: [{ id: 1, name: "SHP/2024/00001", status: "delivered", milestone_ids: [] }],
                },
                "freight.milestone": {
                    fields: {
                        shipment_id: { string: "Shipment", type: "many2one", relation: "freight.shipment" },
                        code: { string: "Milestone", type: "selection", selection: CODES },
                        event_time: { string: "Event time", type: "datetime" },
                        received_at: { string: "Received", type: "datetime" },
                        location: { string: "Location", type: "char" },
                        stop: { string: "Stop", type: "integer" },
                        raw_code: { string: "Raw code", type: "char" },
                        reason_code: { string: "Reason", type: "char" },
                        source: { string: "Source", type: "selection", selection: [["edi", "EDI"], ["tms", "TMS"]] },
                        note: { string: "Note", type: "char" },
                        source_message_ref: { string: "Source message", type: "integer" },
                    },
                    records: [],
                },
            },
        };
        setupViewRegistries();
    });

    function useMilestones(records, shipment = {}) {
        serverData.models["freight.milestone"].records = records;
        Object.assign(serverData.models["freight.shipment"].records[0], {
            milestone_ids: records.map((r) => r.id),
            ...shipment,
        });
    }

    const open = (mockRPC) =>
        makeView({ type: "form", resModel: "freight.shipment", resId: 1, serverData, arch: FORM, mockRPC });

    /** Captures the widget's polling timer so a test can fire it. */
    function captureTimer() {
        const timer = {};
        patchWithCleanup(browser, {
            setInterval: (handler, ms) => {
                Object.assign(timer, { handler, ms });
                return 1;
            },
            clearInterval: () => {},
        });
        return timer;
    }
    const codes = () =>
        [...target.querySelectorAll(".o_freight_timeline_entry")].map((el) => el.dataset.code);

    QUnit.module("MilestoneTimeline");

    QUnit.test("shows milestones oldest first whatever their order of arrival", async (assert) => {
        useMilestones([
            milestone(3, "delivered", "2024-07-10 09:00:00", { location: "Chicago, IL" }),
            milestone(1, "tendered", "2024-07-08 09:00:00"),
            milestone(2, "picked_up", "2024-07-09 09:00:00", { raw_code: "AF", source: "edi" }),
        ]);
        await open();
        assert.deepEqual(codes(), ["tendered", "picked_up", "delivered"]);
        const labels = [...target.querySelectorAll(".o_freight_timeline_label")].map((el) => el.textContent);
        assert.deepEqual(labels, ["Tendered", "Picked up", "Delivered"]);
        assert.strictEqual(target.querySelector(".o_freight_timeline_relative").textContent, "2 days ago");
        assert.strictEqual(target.querySelector(".o_freight_raw_code").textContent, "AF");
        assert.ok(target.querySelector("[data-code=picked_up]").title.includes("via EDI 214"));
        assert.strictEqual(target.querySelector(".o_freight_timeline_location").textContent, "Chicago, IL");
    });

    QUnit.test("shows the notifications sent, when the form holds them", async (assert) => {
        useMilestones([milestone(1, "picked_up", "2024-07-09 09:00:00"), milestone(2, "delivered", "2024-07-10 09:00:00")]);
        serverData.models["freight.shipment"].fields.notification_ids = {
            string: "Notifications", type: "one2many", relation: "freight.subscription.delivery",
            relation_field: "shipment_id",
        };
        serverData.models["freight.subscription.delivery"] = {
            fields: {
                shipment_id: { string: "Shipment", type: "many2one", relation: "freight.shipment" },
                create_date: { string: "When", type: "datetime" },
                summary: { string: "Summary", type: "char" },
            },
            records: [{ id: 5, shipment_id: 1, create_date: "2024-07-10 09:00:30", summary: "Acme told of Delivered (webhook)" }],
        };
        serverData.models["freight.shipment"].records[0].notification_ids = [5];
        await makeView({
            type: "form", resModel: "freight.shipment", resId: 1, serverData,
            arch: FORM.replace("</sheet>", `<field name="notification_ids">
                <tree><field name="create_date"/><field name="summary"/></tree></field></sheet>`),
        });
        assert.deepEqual(codes(), ["picked_up", "delivered", "notified"]);
        const notice = target.querySelector("[data-code=notified]");
        assert.ok(notice.textContent.includes("Customer notified"));
        assert.ok(notice.textContent.includes("Acme told of Delivered (webhook)"));
    });

    QUnit.test("names the stops of a multi-stop trip", async (assert) => {
        useMilestones([
            milestone(1, "stop_delivered", "2024-07-10 06:00:00", { stop: 2, location: "Waco, TX" }),
            milestone(2, "delivered", "2024-07-10 09:00:00", { stop: 3, location: "Austin, TX" }),
        ]);
        await open();
        const labels = [...target.querySelectorAll(".o_freight_timeline_label")].map((el) => el.textContent);
        assert.deepEqual(labels, ["Delivered at a stop (stop 2)", "Delivered (stop 3)"]);
    });

    QUnit.test("marks a late delivery and the shipment as late", async (assert) => {
        useMilestones([milestone(1, "delivered", "2024-07-10 10:00:00")], {
            planned_delivery_date: "2024-07-10 06:00:00",
        });
        await open();
        assert.containsOnce(target, "[data-code=delivered] .o_freight_late");
        assert.strictEqual(target.querySelector(".o_freight_late_banner").textContent.trim(), "Delivered 4 h late");
    });

    QUnit.test("an undelivered shipment past its planned delivery is late", async (assert) => {
        useMilestones([milestone(1, "in_transit", "2024-07-09 10:00:00")], {
            status: "in_transit",
            planned_delivery_date: "2024-07-10 08:00:00",
        });
        await open();
        assert.containsNone(target, ".o_freight_late");
        assert.containsOnce(target, ".o_freight_late_banner");
    });

    QUnit.test("marks exceptions", async (assert) => {
        useMilestones([
            milestone(1, "picked_up", "2024-07-09 10:00:00"),
            milestone(2, "exception", "2024-07-09 12:00:00", { raw_code: "A7", note: "Refused" }),
        ]);
        await open();
        assert.containsOnce(target, "[data-code=exception] .o_freight_exception");
        assert.containsNone(target, "[data-code=picked_up] .o_freight_exception");
        assert.ok(target.querySelector("[data-code=exception]").textContent.includes("Refused"));
    });

    QUnit.test("flags an event reported after a later one", async (assert) => {
        useMilestones([
            milestone(1, "picked_up", "2024-07-09 08:00:00"),
            milestone(2, "delivered", "2024-07-10 08:00:00"),
            milestone(3, "in_transit", "2024-07-09 20:00:00", { received_at: "2024-07-10 11:00:00" }),
        ]);
        await open();
        assert.deepEqual(codes(), ["picked_up", "in_transit", "delivered"]);
        assert.containsOnce(target, "[data-code=in_transit] .o_freight_out_of_order");
    });

    QUnit.test("compares planned and actual, with the carrier ETA before delivery", async (assert) => {
        useMilestones([milestone(1, "picked_up", "2024-07-09 10:00:00")], {
            planned_pickup_date: "2024-07-09 08:00:00",
            planned_delivery_date: "2024-07-11 06:00:00",
            carrier_eta: "2024-07-11 09:00:00",
        });
        await open();
        const rows = [...target.querySelectorAll(".o_freight_plan tr")].map((tr) => tr.dataset.plan);
        assert.deepEqual(rows, ["pickup", "delivery"]);
        assert.ok(target.querySelector("[data-plan=delivery]").textContent.includes("carrier ETA"));
        assert.strictEqual(target.querySelector("[data-plan=delivery] .o_freight_plan_late").textContent, "Late 3 h");
        assert.strictEqual(target.querySelector("[data-plan=pickup] .o_freight_plan_late").textContent, "Late 2 h");
    });

    QUnit.test("polls every 5 s and reloads only when milestones changed", async (assert) => {
        const timer = captureTimer();
        useMilestones([milestone(1, "tendered", "2024-07-09 10:00:00")]);
        let serverVersion = { count: 1, last_id: 1 };
        await open((route, args) => {
            if (args.method === "timeline_version") {
                assert.step(`version ${args.args[0]}`);
                return serverVersion;
            }
            if (args.method === "web_read") {
                assert.step("web_read");
            }
        });
        assert.verifySteps(["web_read"]);
        assert.strictEqual(timer.ms, 5000);
        await timer.handler();
        await nextTick();
        assert.verifySteps(["version 1"], "nothing new: no reload");
        serverVersion = { count: 2, last_id: 2 };
        await timer.handler();
        await nextTick();
        assert.verifySteps(["version 1", "web_read"], "a new milestone: the record reloads");
    });

    QUnit.test("hides the source message from users who cannot open it", async (assert) => {
        useMilestones([milestone(1, "picked_up", "2024-07-09 10:00:00", { source_message_ref: 7 })]);
        await open();
        assert.containsNone(target, ".o_freight_source_link");
    });

    QUnit.test("links the source message for freight managers", async (assert) => {
        registry.category("services").add(
            "user", makeFakeUserService((group) => group === "freight_sync.group_freight_manager"),
            { force: true });
        useMilestones([
            milestone(1, "picked_up", "2024-07-09 10:00:00", { source_message_ref: 7 }),
            milestone(2, "in_transit", "2024-07-09 12:00:00"),
        ]);
        await open();
        assert.containsOnce(target, ".o_freight_source_link");
        assert.ok(target.querySelector("[data-code=picked_up] .o_freight_source_link").href
            .includes("model=freight.message&id=7"));
    });

    QUnit.test("says so when there is no milestone yet", async (assert) => {
        useMilestones([]);
        await open();
        assert.containsNone(target, ".o_freight_timeline_entry");
        assert.strictEqual(target.querySelector(".o_freight_timeline_empty").textContent, "No milestones yet");
    });
});
