/** @odoo-module **/
// QUnit tests of the rate-shop panel (view widget freight_rate_shop) on the shipment form,
// on a mock server, in a real Odoo page.

import { makeFakeNotificationService } from "@web/../tests/helpers/mock_services";
import { makeServerError } from "@web/../tests/helpers/mock_server";
import { click, getFixture, nextTick, triggerEvent } from "@web/../tests/helpers/utils";
import { makeView, setupViewRegistries } from "@web/../tests/views/helpers";
import { registry } from "@web/core/registry";

const SHOP = "/freight_sync/ui/v1/rate_shop";
const CHOOSE = "/freight_sync/ui/v1/rate_shop/choose";
const TENDER = "/freight_sync/ui/v1/tender";
const FORM = `<form><sheet>
    <field name="name"/><field name="status"/><field name="carrier_id"/>
    <widget name="freight_rate_shop"/>
</sheet></form>`;

function part(key, value, normalised, weight) {
    return { key, label: key, value, normalised, weight, points: Math.round(1000 * weight * normalised) / 10 };
}

function quote(carrierId, name, total, days, score, notes = []) {
    return {
        carrier_id: carrierId, carrier_name: name, contract_id: carrierId, lane_id: 100 + carrierId, currency: "USD",
        total, total_company: total, amounts: { 400: total - 30, 405: 20, 420: 10 }, trace: [],
        transit_days: days, minimum_applied: false, weight_band: null,
        scorecard: { on_time: 90, invoice_accuracy: 75.5, dispute_win: null, tender_acceptance: 100 },
        score, notes,
        breakdown: [part("cost", total, 1, 0.45), part("transit", days, 0.5, 0.15), part("on_time", 90, 0.9, 0.2),
            part("invoice_accuracy", 75.5, 0.755, 0.1), part("tender_acceptance", 100, 1, 0.1)],
    };
}

function answer() {
    return {
        shipment_id: 1, sort: "best_value", date: "2024-07-10", currency: "USD",
        current_carrier_id: null, suggested_carrier_id: 3,
        quotes: [quote(3, "Blue Ridge", 500, 4, 82.3, ["cheapest"]), quote(2, "Lakeshore", 800, 2, 70.1, ["fastest"])],
        excluded: [{ carrier_id: 5, carrier_name: "Old Carrier", reason: "no contract valid on 2024-07-10" }],
        weights: { cost: 0.45 },
    };
}

let serverData;
let target;

QUnit.module("freight_sync_web", (hooks) => {
    hooks.beforeEach(() => {
        target = getFixture();
        serverData = {
            models: {
                "freight.shipment": {
                    fields: {
                        name: { string: "Shipment", type: "char" },
                        status: { string: "Status", type: "selection", selection: [["draft", "Draft"], ["tendered", "Tendered"]] },
                        carrier_id: { string: "Carrier", type: "many2one", relation: "res.partner" },
                    },
                    records: [{ id: 1, name: "SHP/2024/00001", status: "draft", carrier_id: false }],
                },
                "res.partner": {
                    fields: { name: { string: "Name", type: "char" } },
                    records: [{ id: 2, name: "Lakeshore" }, { id: 3, name: "Blue Ridge" }],
                },
            },
        };
        setupViewRegistries();
    });

    function captureNotifications() {
        const notes = [];
        registry.category("services").add("notification",
            makeFakeNotificationService((message, options) => notes.push({ message, type: options && options.type })),
            { force: true });
        return notes;
    }

    const open = (mockRPC) =>
        makeView({ type: "form", resModel: "freight.shipment", resId: 1, serverData, arch: FORM, mockRPC });
    const carriers = () => [...target.querySelectorAll(".o_freight_quote_carrier")].map((el) => el.textContent);
    const selected = () => target.querySelector(".o_freight_quote_selected .o_freight_quote_carrier").textContent;
    const key = (k, init = {}) => triggerEvent(target, ".o_freight_rate_shop_table", "keydown", { key: k, ...init });

    QUnit.module("RateShopPanel");

    QUnit.test("lists the quotes with their breakdown, figures and best-value why", async (assert) => {
        const calls = [];
        await open((route, args) => {
            if (route === SHOP) {
                calls.push(args);
                return answer();
            }
        });
        assert.deepEqual(calls, [{ shipment_id: 1, sort: "best_value" }]);
        assert.deepEqual(carriers(), ["Blue Ridge", "Lakeshore"]);
        const first = target.querySelector(".o_freight_quote");
        assert.hasClass(first, "o_freight_quote_suggested");
        assert.containsOnce(first, ".o_freight_quote_suggestion");
        assert.strictEqual(first.querySelector(".o_freight_quote_total").textContent, "500.00 USD");
        assert.strictEqual(first.querySelector(".o_freight_quote_breakdown").textContent.replace(/\s+/g, " ").trim(),
            "Linehaul 470.00 · Fuel 20.00 · Accessorials 10.00");
        assert.strictEqual(first.querySelector(".o_freight_quote_transit").textContent, "4 days");
        assert.deepEqual([...first.querySelectorAll(".o_freight_quote_figure")].map((el) => el.textContent),
            ["90.0 %", "75.5 %", "not stated", "100.0 %"]);
        const score = first.querySelector(".o_freight_quote_score");
        assert.strictEqual(score.textContent, "82.3");
        assert.ok(score.title.startsWith("Best value 82.3 of 100\nCost: 45.0 points of 45"), score.title);
        assert.strictEqual(first.querySelector(".o_freight_quote_notes").textContent, "cheapest");
        assert.ok(target.querySelector(".o_freight_rate_shop_excluded").textContent.includes("no contract valid"));
        const table = target.querySelector(".o_freight_rate_shop_table");
        assert.strictEqual(table.getAttribute("tabindex"), "0");
        assert.ok(table.getAttribute("aria-label").includes("Best value"));
        assert.strictEqual(table.getAttribute("aria-activedescendant"), "o_freight_quote_3");
    });

    QUnit.test("the sort buttons and keys 1/2/3 re-order the same quotes", async (assert) => {
        let shops = 0;
        await open((route) => {
            if (route === SHOP) {
                shops++;
                return answer();
            }
        });
        await click(target, ".o_freight_rate_shop_sorts [data-sort='speed']");
        assert.deepEqual(carriers(), ["Lakeshore", "Blue Ridge"]);
        assert.strictEqual(selected(), "Blue Ridge", "the selection follows its carrier");
        await key("1");
        assert.deepEqual(carriers(), ["Blue Ridge", "Lakeshore"]);
        assert.strictEqual(target.querySelector("[data-sort='cost']").getAttribute("aria-pressed"), "true");
        await key("2");
        assert.deepEqual(carriers(), ["Lakeshore", "Blue Ridge"]);
        await key("3");
        assert.deepEqual(carriers(), ["Blue Ridge", "Lakeshore"]);
        assert.strictEqual(shops, 1, "sorting asks the server nothing");
    });

    QUnit.test("arrows move the selection, Enter chooses it and the form reloads", async (assert) => {
        const calls = [];
        let reads = 0;
        const notes = captureNotifications();
        await open((route, args) => {
            if (route === SHOP) {
                return answer();
            }
            if (route === CHOOSE) {
                calls.push(args);
                serverData.models["freight.shipment"].records[0].carrier_id = 2;
                return { shipment_id: 1, carrier_id: 2, quoted_total: 800, quoted_currency: "USD" };
            }
            if (args.method === "web_read") {
                reads++;
            }
        });
        assert.strictEqual(selected(), "Blue Ridge");
        await key("ArrowUp");
        assert.strictEqual(selected(), "Blue Ridge", "stays on the first row");
        await key("ArrowDown");
        assert.strictEqual(selected(), "Lakeshore");
        await key("ArrowDown");
        assert.strictEqual(selected(), "Lakeshore", "stays on the last row");
        const readsBefore = reads;
        await key("Enter");
        await nextTick();
        assert.deepEqual(calls, [{ shipment_id: 1, carrier_id: 2, quote: { total: 800, carrier_id: 2, lane_id: 102 } }]);
        assert.ok(reads > readsBefore, "the form record reloads");
        assert.strictEqual(target.querySelector(".o_field_widget[name='carrier_id'] input").value, "Lakeshore");
        assert.deepEqual(notes.map((n) => n.type), ["success"]);
    });

    QUnit.test("Choose and tender chooses, then tenders", async (assert) => {
        const routes = [];
        const notes = captureNotifications();
        await open((route, args) => {
            if (route === SHOP) {
                return answer();
            }
            if (route === CHOOSE) {
                routes.push([route, args.carrier_id]);
                return { shipment_id: 1, carrier_id: 3, quoted_total: 500, quoted_currency: "USD" };
            }
            if (route === TENDER) {
                routes.push([route, args.carrier_id]);
                return { tender_id: 9, state: "sent", carrier_id: 3, carrier_name: "Blue Ridge", channel: "api", shipment_id: 1, tender_state: "sent" };
            }
        });
        await click(target.querySelector(".o_freight_quote[data-carrier='3'] .o_freight_quote_tender"));
        await nextTick();
        assert.deepEqual(routes, [[CHOOSE, 3], [TENDER, 3]]);
        assert.deepEqual(notes.map((n) => n.message), ["Blue Ridge chosen, expected 500.00 USD.", "Tender to Blue Ridge: sent."]);
    });

    QUnit.test("Accept suggestion chooses the best value whatever the sort shown", async (assert) => {
        const routes = [];
        await open((route, args) => {
            if (route === SHOP) {
                return answer();
            }
            if (route === CHOOSE) {
                routes.push([route, args.carrier_id, args.quote.total]);
                return { shipment_id: 1, carrier_id: 3, quoted_total: 500, quoted_currency: "USD" };
            }
        });
        await click(target.querySelector(".o_freight_rate_shop_sorts [data-sort='speed']"));
        assert.deepEqual(carriers(), ["Lakeshore", "Blue Ridge"]);
        await click(target.querySelector(".o_freight_rate_shop_accept"));
        await nextTick();
        assert.deepEqual(routes, [[CHOOSE, 3, 500]]);
    });

    QUnit.test("a refused choice shows the server's message and tenders nothing", async (assert) => {
        const routes = [];
        const notes = captureNotifications();
        await open((route) => {
            if (route === SHOP) {
                return answer();
            }
            if (route === CHOOSE || route === TENDER) {
                routes.push(route);
                throw makeServerError({ type: "UserError", description: "The price changed since the quote was shown (500.00, now 510.00 USD): shop again." });
            }
        });
        await click(target.querySelector(".o_freight_quote[data-carrier='3'] .o_freight_quote_tender"));
        await nextTick();
        assert.deepEqual(routes, [CHOOSE]);
        assert.deepEqual(notes, [{ message: "The price changed since the quote was shown (500.00, now 510.00 USD): shop again.", type: "danger" }]);
    });

    QUnit.test("a refused rate shop says why in the panel", async (assert) => {
        await open((route) => {
            if (route === SHOP) {
                throw makeServerError({ type: "AccessError", description: "Only dispatchers and freight managers may rate-shop shipments or read carrier scorecards." });
            }
        });
        assert.strictEqual(target.querySelector(".o_freight_rate_shop_error").textContent,
            "Only dispatchers and freight managers may rate-shop shipments or read carrier scorecards.");
        assert.containsNone(target, ".o_freight_rate_shop_table");
    });
});
