/** @odoo-module **/
// QUnit tests of the carrier scorecard client action, on a mock server, in a real Odoo page.

import { editSelect, getFixture, nextTick, patchWithCleanup } from "@web/../tests/helpers/utils";
import { makeServerError } from "@web/../tests/helpers/mock_server";
import { createWebClient, doAction } from "@web/../tests/webclient/helpers";
import { assets } from "@web/core/assets";

const ROUTE = "/freight_sync/ui/v1/scorecard";
const ratio = (count, of) => ({ count, of, percent: of ? Math.round((1000 * count) / of) / 10 : null });
const card = (a, b, c, d) => ({ on_time: a, invoice_accuracy: b, dispute_win: c, tender_acceptance: d });

function answer() {
    return {
        months: ["2024-06", "2024-07"],
        carriers: [{
            carrier_id: 7, carrier_name: "Blue Ridge",
            total: card(ratio(3, 4), ratio(1, 2), ratio(0, 0), ratio(2, 3)),
            months: [
                { month: "2024-06", ...card(ratio(1, 1), ratio(0, 0), ratio(0, 0), ratio(1, 1)) },
                { month: "2024-07", ...card(ratio(2, 3), ratio(1, 2), ratio(0, 0), ratio(1, 2)) },
            ],
        }],
    };
}

let target;

QUnit.module("freight_sync_web", (hooks) => {
    hooks.beforeEach(() => {
        target = getFixture();
        // Chart.js is already in the test bundle: no request for web.chartjs_lib
        patchWithCleanup(assets, { loadBundle: async () => {} });
    });

    async function openScorecard(mockRPC) {
        const webClient = await createWebClient({ serverData: { models: {}, views: {} }, mockRPC });
        await doAction(webClient, { type: "ir.actions.client", tag: "freight_sync_web.carrier_scorecard" });
        await nextTick();
    }

    QUnit.module("CarrierScorecard");

    QUnit.test("draws the four figures per month and the counts behind them", async (assert) => {
        const calls = [];
        await openScorecard((route, args) => {
            if (route === "/freight_sync/ui/v1/carriers") {
                return [[7, "Blue Ridge"], [9, "Lakeshore"]];
            }
            if (route === ROUTE) {
                calls.push(args);
                return answer();
            }
        });
        assert.deepEqual(calls, [{ months: 6 }]);
        assert.strictEqual(target.querySelector(".o_freight_scorecard_name").textContent, "Blue Ridge");
        const chart = Chart.getChart(target.querySelector(".o_freight_scorecard_card canvas"));
        assert.deepEqual(chart.data.labels, ["Jun 2024", "Jul 2024"]);
        assert.deepEqual(chart.data.datasets.map((d) => d.label), ["On time", "Invoice accuracy", "Dispute win rate", "Tender acceptance"]);
        assert.deepEqual(chart.data.datasets[0].data, [100, 66.7]);
        const total = target.querySelector(".o_freight_scorecard_row[data-month='total']");
        assert.deepEqual([...total.querySelectorAll(".o_freight_scorecard_percent")].map((el) => el.textContent),
            ["75.0 %", "50.0 %", "–", "66.7 %"]);
        assert.deepEqual([...total.querySelectorAll(".o_freight_scorecard_ratio")].map((el) => el.textContent),
            ["3 of 4", "1 of 2", "0 of 0", "2 of 3"]);
        assert.containsN(target, ".o_freight_scorecard_row", 3);
        assert.ok(target.querySelector(".o_freight_chart").getAttribute("aria-label").startsWith("Blue Ridge"));
    });

    QUnit.test("the carrier and period selectors ask again", async (assert) => {
        const calls = [];
        await openScorecard((route, args) => {
            if (route === "/freight_sync/ui/v1/carriers") {
                return [[7, "Blue Ridge"], [9, "Lakeshore"]];
            }
            if (route === ROUTE) {
                calls.push(args);
                return answer();
            }
        });
        assert.deepEqual([...target.querySelectorAll(".o_freight_scorecard_carrier option")].map((o) => o.textContent),
            ["All carriers", "Blue Ridge", "Lakeshore"]);
        await editSelect(target, ".o_freight_scorecard_carrier", "9");
        await nextTick();
        await editSelect(target, ".o_freight_scorecard_months", "12");
        await nextTick();
        assert.deepEqual(calls.slice(1), [{ months: 6, carrier_id: 9 }, { months: 12, carrier_id: 9 }]);
    });

    QUnit.test("a refused request says why", async (assert) => {
        await openScorecard((route) => {
            if (route === ROUTE) {
                throw makeServerError({ type: "UserError", description: "months must be a whole number from 1 to 24" });
            }
        });
        await nextTick();
        assert.strictEqual(target.querySelector(".o_freight_scorecard_error").textContent, "months must be a whole number from 1 to 24");
        assert.containsNone(target, ".o_freight_scorecard_card");
    });

    QUnit.test("the dispute win rate shows like the other figures: percent and n of m", async (assert) => {
        await openScorecard((route) => {
            if (route === ROUTE) {
                const data = answer();
                data.carriers[0].total.dispute_win = ratio(2, 3);
                data.carriers[0].months[1].dispute_win = ratio(2, 3);
                return data;
            }
        });
        const heads = [...target.querySelectorAll(".o_freight_scorecard_table thead th")].map((th) => th.textContent);
        assert.ok(heads.includes("Dispute win rate"));
        const cell = (month) => target.querySelector(`.o_freight_scorecard_row[data-month='${month}'] [data-figure='dispute_win']`);
        assert.strictEqual(cell("total").querySelector(".o_freight_scorecard_percent").textContent, "66.7 %");
        assert.strictEqual(cell("total").querySelector(".o_freight_scorecard_ratio").textContent, "2 of 3");
        assert.strictEqual(cell("2024-06").querySelector(".o_freight_scorecard_percent").textContent, "–", "nothing settled that month");
        const chart = Chart.getChart(target.querySelector(".o_freight_scorecard_card canvas"));
        assert.deepEqual(chart.data.datasets[2].data, [null, 66.7]);
    });
});
