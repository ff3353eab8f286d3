import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import type { DisputesData } from "../../freight_sync_web/static/src/ts/dashboard/dashboard_model";
import { disputeChartSpec, disputeRows, winRateText, winRatio } from "../../freight_sync_web/static/src/ts/dashboard/disputes_model";
import { dashboardWords } from "../../freight_sync_web/static/src/ts/dashboard/words";

const words = dashboardWords();

function disputes(): DisputesData {
    return {
        months: ["2026-06", "2026-07"],
        // the server's order is not the chart's: the chart keeps disputed, recovered, written off
        series: [
            { key: "written_off", label: "Written off", values: [0, 20] },
            { key: "disputed", label: "Disputed", values: [300, 120] },
            { key: "recovered", label: "Recovered", values: [250] },
        ],
        carriers: [
            { id: 7, name: "Acme Freight", disputed: 1420.5, recovered: 1200, written_off: 20, settled: 3, won: 2, win_rate: 2 / 3 },
            { id: 9, name: "Blue Ridge", disputed: 80, recovered: 0, written_off: 0, settled: 0, won: 0, win_rate: null },
        ],
    };
}

describe("dashboard disputes", () => {
    it("draws disputed, recovered and written off by month, side by side", () => {
        const chart = disputeChartSpec(words, disputes());
        assert.equal(chart.key, "disputes");
        assert.equal(chart.title, "Disputed, recovered and written off by month");
        assert.equal(chart.config.type, "bar");
        assert.deepEqual(chart.config.data.labels, ["Jun 2026", "Jul 2026"]);
        assert.deepEqual(chart.config.data.datasets.map((d) => [d.label, d.data]),
            [["Disputed", [300, 120]], ["Recovered", [250, 0]], ["Written off", [0, 20]]]);
        assert.equal(chart.config.data.datasets[0]?.stack, undefined, "not stacked");
        assert.equal(chart.empty, false);
        assert.deepEqual(chart.drills, [[null, null], [null, null], [null, null]]);
    });

    it("an empty period says so", () => {
        const chart = disputeChartSpec(words, { months: ["2026-07"], series: [{ key: "disputed", label: "Disputed", values: [0] }], carriers: [] });
        assert.equal(chart.empty, true);
    });

    it("one row per carrier, the win rate with its n of m", () => {
        assert.deepEqual(disputeRows(words, disputes()), [
            { id: 7, name: "Acme Freight", disputed: "1,420.50", recovered: "1,200.00", writtenOff: "20.00", settled: 3, won: 2, winRate: "66.7 %", winRatio: "2 of 3" },
            { id: 9, name: "Blue Ridge", disputed: "80.00", recovered: "0.00", writtenOff: "0.00", settled: 0, won: 0, winRate: "–", winRatio: "0 of 0" },
        ]);
    });

    it("win-rate words", () => {
        assert.equal(winRateText(1), "100.0 %");
        assert.equal(winRateText(0), "0.0 %");
        assert.equal(winRateText(null), "–");
        assert.equal(winRatio(words, 4, 5), "4 of 5");
    });
});
