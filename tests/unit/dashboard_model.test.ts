import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import {
    chartSpecs, drillAction, drillAt, errorMessage, formatSeconds, kpiCards, routeParams, weekLabel,
    type DashboardAnswer, type Drill,
} from "../../freight_sync_web/static/src/ts/dashboard/dashboard_model";
import { dashboardWords } from "../../freight_sync_web/static/src/ts/dashboard/words";

const words = dashboardWords();

const drill = (name: string, domain: unknown[] = [["id", ">", 0]], model = "freight.invoice"): Drill => ({ model, name, domain });

function answer(withInbox = true): DashboardAnswer {
    return {
        period: { date_from: "2024-07-01", date_to: "2024-07-14", carrier_id: null },
        weeks: ["2024-07-01", "2024-07-08"],
        kpis: {
            auto_approval_rate: { value: 40, count: 2, of: 5, drill: drill("auto") },
            recovered: { value: 750, drill: drill("recovered") },
            open_accruals: { value: 1200, count: 2, drill: drill("accruals", [], "freight.accrual.report") },
            dead_letters: withInbox ? { value: 1, drill: drill("dead", [["state", "=", "dead"]], "freight.message") } : null,
        },
        auto_approval: { series: [{ key: "auto_approval_rate", label: "Auto", values: [66.7, 0], drills: [drill("w1"), drill("w2")] }] },
        recovered: {
            series: [
                { key: "short_paid", label: "Short-paid", values: [50, 0], drills: [drill("s1"), drill("s2")] },
                { key: "rejected", label: "Rejected", values: [0, 700], drills: [drill("r1"), drill("r2")] },
            ],
        },
        carriers: {
            labels: ["Test Carrier"], carrier_ids: [7],
            series: [
                { key: "exception_rate", label: "Exceptions", values: [60], drills: [drill("exc")] },
                { key: "accuracy", label: "Accuracy", values: [40], drills: [drill("acc")] },
            ],
        },
        accruals: { labels: ["0-30 days", "31-60 days"], series: [{ key: "open_accruals", label: "Open", values: [1200, 0], drills: [drill("a1"), drill("a2")] }] },
        latency: withInbox
            ? {
                count: 5, p50: 6, p95: 82, drill: drill("messages", [], "freight.message"),
                series: [
                    { key: "p50", label: "p50", values: [5, 10], drills: [drill("m1"), drill("m2")] },
                    { key: "p95", label: "p95", values: [85.9, null], drills: [drill("m1"), drill("m2")] },
                ],
            }
            : null,
    };
}

describe("dashboard KPI cards", () => {
    it("shows the rates, the queue and the money a manager asked for", () => {
        const cards = kpiCards(words, answer());
        assert.deepEqual(cards.map((c) => [c.key, c.value]), [
            ["auto_approval_rate", "40.0 %"], ["dead_letters", "1"], ["latency_p50", "6.0 s"],
            ["latency_p95", "1.4 min"], ["open_accruals", "1,200.00"], ["recovered", "750.00"],
        ]);
        assert.equal(cards[0]?.hint, "2 of 5 audited invoices");
        assert.equal(cards[1]?.tone, "danger");
    });

    it("leaves the inbox out for a clerk who may not read it", () => {
        assert.deepEqual(kpiCards(words, answer(false)).map((c) => c.key), ["auto_approval_rate", "open_accruals", "recovered"]);
    });

    it("adds the money lost to dispute windows, red once a case is there", () => {
        const withLost = answer();
        withLost.kpis.money_lost = { value: 1234.5, count: 2, drill: drill("lost", [["dispute_urgency", "=", "lapsed"]], "freight.exception") };
        const card = kpiCards(words, withLost).at(-1);
        assert.deepEqual([card?.key, card?.value, card?.hint, card?.tone], ["money_lost", "1,234.50", "2 open cases past their window, no dispute sent", "danger"]);
        assert.equal(card?.drill.model, "freight.exception");
        withLost.kpis.money_lost = { value: 0, count: 0, drill: drill("lost") };
        assert.equal(kpiCards(words, withLost).at(-1)?.tone, "success");
    });

    it("says seconds, minutes or hours, and a dash for nothing measured", () => {
        assert.deepEqual([formatSeconds(null), formatSeconds(4.25), formatSeconds(90), formatSeconds(7200)], ["–", "4.3 s", "1.5 min", "2.0 h"]);
    });
});

describe("dashboard charts", () => {
    it("one chart per question, weeks as short dates, percent axes capped at 100", () => {
        const specs = chartSpecs(words, answer());
        assert.deepEqual(specs.map((s) => [s.key, s.config.type]), [
            ["auto_approval", "bar"], ["carriers", "bar"], ["recovered", "bar"], ["latency", "line"], ["accruals", "bar"],
        ]);
        const auto = specs[0]!;
        assert.deepEqual(auto.config.data.labels, ["Jul 1", "Jul 8"]);
        assert.deepEqual(auto.config.data.datasets[0]?.data, [66.7, 0]);
        assert.equal((auto.config.options.scales as { y: { max?: number } }).y.max, 100);
        const recovered = specs[2]!;
        assert.deepEqual(recovered.config.data.datasets.map((d) => d.stack), ["total", "total"]);
        assert.deepEqual(specs[1]!.config.data.labels, ["Test Carrier"]);
    });

    it("has no latency chart without the inbox", () => {
        assert.ok(!chartSpecs(words, answer(false)).some((s) => s.key === "latency"));
    });

    it("a clicked point finds its drill-down, a click beside the data finds none", () => {
        const recovered = chartSpecs(words, answer())[2]!;
        assert.equal(drillAt(recovered, 1, 1)?.name, "r2");
        assert.equal(drillAt(recovered, 2, 0), null);
        assert.equal(drillAt(recovered, 0, 5), null);
        assert.equal(weekLabel("2024-12-30"), "Dec 30");
    });
});

describe("dashboard drill-down and requests", () => {
    it("opens the records behind a point as a list with the server's domain", () => {
        assert.deepEqual(drillAction(drill("Dead letters", [["state", "=", "dead"]], "freight.message")), {
            type: "ir.actions.act_window", name: "Dead letters", res_model: "freight.message",
            domain: [["state", "=", "dead"]], views: [[false, "list"], [false, "form"]], target: "current",
        });
        assert.deepEqual(drillAction(drill("Open", [], "freight.accrual.report")).views, [[false, "list"]]);
    });

    it("sends only the filters that are set", () => {
        assert.deepEqual(routeParams({ dateFrom: "", dateTo: "", carrierId: null }), {});
        assert.deepEqual(routeParams({ dateFrom: "2024-07-01", dateTo: "2024-07-14", carrierId: 7 }),
            { date_from: "2024-07-01", date_to: "2024-07-14", carrier_id: 7 });
    });

    it("shows Odoo's own message when the route refuses", () => {
        assert.equal(errorMessage(words, { data: { message: "date_from must be a date" } }), "date_from must be a date");
        assert.equal(errorMessage(words, new Error("offline")), "offline");
        assert.equal(errorMessage(words, undefined), "The dashboard could not be loaded.");
    });
});

it("a chart with nothing in the period says so", () => {
    const specs = chartSpecs(words, answer(true));
    assert.equal(specs.find((s) => s.key === "auto_approval")?.empty, false);
    const quiet = { ...answer(true), auto_approval: { series: [{ key: "a", label: "Auto", values: [null, 0], drills: [null, null] }] } };
    assert.equal(chartSpecs(words, quiet).find((s) => s.key === "auto_approval")?.empty, true);
});
