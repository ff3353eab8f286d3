/** @odoo-module **/
// QUnit tests of the freight dashboard client action, on a mock server, in a real Odoo page.

import { click, editSelect, getFixture, nextTick, patchWithCleanup } from "@web/../tests/helpers/utils";
import { makeServerError } from "@web/../tests/helpers/mock_server";
import { createWebClient, doAction } from "@web/../tests/webclient/helpers";
import { assets } from "@web/core/assets";

const ROUTE = "/freight_sync/ui/v1/dashboard";
const drill = (name, domain, model = "freight.invoice") => ({ model, name, domain });

function answer() {
    const weekly = (name) => [drill(`${name} 1`, [["id", "=", 1]]), drill(`${name} 2`, [["id", "=", 2]])];
    return {
        period: { date_from: "2024-07-01", date_to: "2024-07-14", carrier_id: null },
        weeks: ["2024-07-01", "2024-07-08"],
        kpis: {
            auto_approval_rate: { value: 40, count: 2, of: 5, drill: drill("Approved automatically", [["approved_by_rule", "=", true]]) },
            recovered: { value: 750, drill: drill("Recovered", [["billed_on_expected", "=", true]]) },
            open_accruals: { value: 1200, count: 2, drill: drill("Open accruals", [], "freight.accrual.report") },
            dead_letters: { value: 1, drill: drill("Dead letters", [["direction", "=", "in"], ["state", "=", "dead"]], "freight.message") },
        },
        auto_approval: { series: [{ key: "auto_approval_rate", label: "Auto", values: [66.7, 0], drills: weekly("auto") }] },
        recovered: {
            series: [
                { key: "short_paid", label: "Short-paid", values: [50, 0], drills: weekly("short") },
                { key: "rejected", label: "Rejected", values: [0, 700], drills: weekly("rejected") },
            ],
        },
        carriers: {
            labels: ["Test Carrier"], carrier_ids: [7],
            series: [
                { key: "exception_rate", label: "Exceptions", values: [60], drills: [drill("exc", [["carrier_id", "=", 7]])] },
                { key: "accuracy", label: "Accuracy", values: [40], drills: [drill("acc", [["carrier_id", "=", 7]])] },
            ],
        },
        accruals: { labels: ["0-30 days"], series: [{ key: "open_accruals", label: "Open", values: [1200], drills: [drill("a", [["age_bucket", "=", "0-30"]], "freight.accrual.report")] }] },
        latency: {
            count: 5, p50: 6, p95: 82, drill: drill("Processed", [["state", "=", "done"]], "freight.message"),
            series: [
                { key: "p50", label: "p50", values: [5, 10], drills: weekly("p50") },
                { key: "p95", label: "p95", values: [85.9, 10], drills: weekly("p95") },
            ],
        },
    };
}

let target;

QUnit.module("freight_sync_web", (hooks) => {
    hooks.beforeEach(() => {
        target = getFixture();
        // Chart.js is already in the test bundle: no request for web.chartjs_lib
        patchWithCleanup(assets, { loadBundle: async () => {} });
    });

    async function openDashboard(mockRPC) {
        const webClient = await createWebClient({ serverData: { models: {}, views: {} }, mockRPC });
        await doAction(webClient, { type: "ir.actions.client", tag: "freight_sync_web.dashboard" });
        await nextTick();
        const actions = [];
        patchWithCleanup(webClient.env.services.action, {
            doAction: async (action) => {
                actions.push(action);
            },
        });
        return actions;
    }
    const values = () => [...target.querySelectorAll(".o_freight_kpi_value")].map((el) => el.textContent);

    QUnit.module("FreightDashboard");

    QUnit.test("renders the KPI cards and one chart per question", async (assert) => {
        const calls = [];
        await openDashboard((route, args) => {
            if (route === ROUTE) {
                calls.push(args);
                return answer();
            }
        });
        assert.strictEqual(calls.length, 1);
        assert.ok(calls[0].context, "the user's context (companies) goes with the request");
        assert.deepEqual(values(), ["40.0 %", "1", "6.0 s", "1.4 min", "1,200.00", "750.00"]);
        assert.deepEqual([...target.querySelectorAll(".o_freight_chart")].map((el) => el.dataset.chart),
            ["auto_approval", "carriers", "recovered", "latency", "accruals"]);
        assert.containsN(target, ".o_freight_chart canvas", 5);
        assert.strictEqual(target.querySelector(".o_freight_date_from").value, "2024-07-01");
    });

    QUnit.test("a KPI and a chart point open the records behind them", async (assert) => {
        const actions = await openDashboard((route) => (route === ROUTE ? answer() : undefined));
        await click(target, ".o_freight_kpi[data-kpi='dead_letters']");
        assert.deepEqual(actions[0], {
            type: "ir.actions.act_window", name: "Dead letters", res_model: "freight.message",
            domain: [["direction", "=", "in"], ["state", "=", "dead"]],
            views: [[false, "list"], [false, "form"]], target: "current",
        });
        // what Chart.js calls on a click on the second week's "rejected" bar
        const canvas = target.querySelector(".o_freight_chart[data-chart='recovered'] canvas");
        Chart.getChart(canvas).options.onClick(null, [{ datasetIndex: 1, index: 1 }]);
        assert.strictEqual(actions[1].name, "rejected 2");
        assert.deepEqual(actions[1].domain, [["id", "=", 2]]);
        Chart.getChart(canvas).options.onClick(null, []);
        assert.strictEqual(actions.length, 2, "a click beside the bars opens nothing");
    });

    QUnit.test("Apply sends the chosen period", async (assert) => {
        const calls = [];
        await openDashboard((route, args) => {
            if (route === ROUTE) {
                calls.push(args);
                return answer();
            }
        });
        const input = target.querySelector(".o_freight_date_from");
        input.value = "2024-07-08";
        input.dispatchEvent(new Event("input"));
        await click(target, ".o_freight_dashboard_apply");
        assert.strictEqual(calls[1].date_from, "2024-07-08");
        assert.strictEqual(calls[1].date_to, "2024-07-14");
    });

    QUnit.test("the carrier picker narrows the figures to one carrier", async (assert) => {
        const calls = [];
        await openDashboard((route, args) => {
            if (route === "/freight_sync/ui/v1/carriers") {
                return [[7, "Acme Freight"], [9, "Blue Ridge"]];
            }
            if (route === ROUTE) {
                calls.push(args);
                return answer();
            }
        });
        assert.deepEqual([...target.querySelectorAll(".o_freight_dashboard_carrier option")].map((o) => o.textContent),
            ["All carriers", "Acme Freight", "Blue Ridge"]);
        await editSelect(target, ".o_freight_dashboard_carrier", "9");
        await click(target, ".o_freight_dashboard_apply");
        assert.strictEqual(calls[1].carrier_id, 9);
        await editSelect(target, ".o_freight_dashboard_carrier", "");
        await click(target, ".o_freight_dashboard_apply");
        assert.notOk("carrier_id" in calls[2] && calls[2].carrier_id, "all carriers again");
    });

    QUnit.test("a refused request shows the server's message as a notification", async (assert) => {
        await openDashboard((route) => {
            if (route === ROUTE) {
                throw makeServerError({ type: "UserError", description: "date_from must be a date written YYYY-MM-DD" });
            }
        });
        await nextTick();
        const notification = target.querySelector(".o_notification");
        assert.ok(notification, "a notification is shown");
        assert.strictEqual(notification.querySelector(".o_notification_content").textContent,
            "date_from must be a date written YYYY-MM-DD");
        assert.hasClass(notification, "border-danger");
        assert.containsOnce(target, ".o_freight_dashboard_empty");
    });

    QUnit.test("the Disputes section: a bar chart by month and a table by carrier", async (assert) => {
        await openDashboard((route) => {
            if (route === ROUTE) {
                return {
                    ...answer(),
                    disputes: {
                        months: ["2026-06", "2026-07"],
                        series: [
                            { key: "disputed", label: "Disputed", values: [300, 120] },
                            { key: "recovered", label: "Recovered", values: [250, 100] },
                            { key: "written_off", label: "Written off", values: [0, 20] },
                        ],
                        carriers: [
                            { id: 7, name: "Acme Freight", disputed: 1420.5, recovered: 1200, written_off: 20, settled: 3, won: 2, win_rate: 2 / 3 },
                            { id: 9, name: "Blue Ridge", disputed: 80, recovered: 0, written_off: 0, settled: 0, won: 0, win_rate: null },
                        ],
                    },
                };
            }
        });
        assert.containsOnce(target, ".o_freight_disputes");
        const canvas = target.querySelector(".o_freight_disputes .o_freight_chart[data-chart='disputes'] canvas");
        const chart = Chart.getChart(canvas);
        assert.strictEqual(chart.config.type, "bar");
        assert.deepEqual(chart.data.labels, ["Jun 2026", "Jul 2026"]);
        assert.deepEqual(chart.data.datasets.map((d) => [d.label, d.data]),
            [["Disputed", [300, 120]], ["Recovered", [250, 100]], ["Written off", [0, 20]]]);
        const rows = [...target.querySelectorAll(".o_freight_disputes_row")];
        assert.deepEqual(rows.map((tr) => [...tr.children].slice(0, 6).map((td) => td.textContent)), [
            ["Acme Freight", "1,420.50", "1,200.00", "20.00", "3", "2"],
            ["Blue Ridge", "80.00", "0.00", "0.00", "0", "0"],
        ]);
        assert.deepEqual(rows.map((tr) => [tr.querySelector(".o_freight_disputes_rate").textContent, tr.querySelector(".o_freight_disputes_ratio").textContent]),
            [["66.7 %", "2 of 3"], ["–", "0 of 0"]]);
    });

    QUnit.test("a server without disputes shows no Disputes section", async (assert) => {
        await openDashboard((route) => (route === ROUTE ? answer() : undefined));
        assert.containsNone(target, ".o_freight_disputes");
    });

    QUnit.test("a Freight Manager sees the integration's health; its alerts open in one click", async (assert) => {
        const alerts = drill("Open alerts", [["state", "=", "open"]], "freight.alert");
        const health = {
            status: "degraded", reasons: ["dead_letters"],
            checks: {
                database: { status: "ok" }, queue_age: { status: "ok", value: 120, limit: 900 },
                dead_letters: { status: "degraded", value: 12, limit: 10 }, latency: { status: "ok", value: 4.5, limit: 300 },
            },
            lanes: [{ lane: "milestones", depth: 3, oldest_due_seconds: 120 }],
            alerts: [{ id: 5, reason: "dead_letters", name: "Dead letters over the limit", opened_at: "2026-12-06 20:05:00" }],
            drill: alerts,
        };
        const actions = await openDashboard((route) => (route === ROUTE ? { ...answer(), health } : undefined));
        const panel = target.querySelector(".o_freight_health");
        assert.strictEqual(panel.dataset.status, "danger");
        assert.strictEqual(panel.querySelector(".o_freight_health_status").textContent, "Degraded");
        assert.deepEqual([...panel.querySelectorAll(".o_freight_health_reasons li")].map((li) => li.textContent),
            ["Dead letters over the limit"]);
        assert.deepEqual([...panel.querySelectorAll(".o_freight_health_lanes tbody tr")].map(
            (tr) => [...tr.children].map((td) => td.textContent)), [["milestones", "3", "2.0 min"]]);
        assert.strictEqual(panel.querySelector(".o_freight_health_dead").textContent, "12 (limit 10)");
        assert.strictEqual(panel.querySelector(".o_freight_health_latency").textContent, "4.5 s (limit 5.0 min)");
        await click(panel, ".o_freight_health_alerts");
        assert.strictEqual(actions[0].res_model, "freight.alert");
        assert.deepEqual(actions[0].domain, [["state", "=", "open"]]);
    });

    QUnit.test("no health panel for a user who may not see the integration", async (assert) => {
        await openDashboard((route) => (route === ROUTE ? { ...answer(), health: null } : undefined));
        assert.containsNone(target, ".o_freight_health");
        assert.containsN(target, ".o_freight_kpi", 6);
    });
});
