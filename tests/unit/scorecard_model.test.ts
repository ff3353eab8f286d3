import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import {
    carrierViews, chartConfig, formatPercent, monthLabel, routeParams, tableRows,
    type Card, type CarrierCard, type Ratio, type ScorecardAnswer,
} from "../../freight_sync_web/static/src/ts/scorecard/scorecard_model";
import { scorecardWords } from "../../freight_sync_web/static/src/ts/scorecard/words";

const words = scorecardWords();

const ratio = (count: number, of: number): Ratio => ({ count, of, percent: of ? Math.round(1000 * count / of) / 10 : null });

function card(onTime: Ratio, accuracy: Ratio, disputes: Ratio, tenders: Ratio): Card {
    return { on_time: onTime, invoice_accuracy: accuracy, dispute_win: disputes, tender_acceptance: tenders };
}

function carrier(): CarrierCard {
    return {
        carrier_id: 7, carrier_name: "Blue Ridge",
        total: card(ratio(3, 4), ratio(1, 2), ratio(0, 0), ratio(2, 3)),
        months: [
            { month: "2024-06", ...card(ratio(1, 1), ratio(0, 0), ratio(0, 0), ratio(1, 1)) },
            { month: "2024-07", ...card(ratio(2, 3), ratio(1, 2), ratio(0, 0), ratio(1, 2)) },
        ],
    };
}

describe("scorecard model", () => {
    it("month labels in the reader's locale", () => {
        assert.equal(monthLabel("2024-07"), "Jul 2024");
        assert.equal(monthLabel("2024-12", "en-GB"), "Dec 2024");
    });

    it("a chart of the four figures per month, gaps where nothing was counted", () => {
        const config = chartConfig(carrier(), words);
        assert.equal(config.type, "line");
        assert.deepEqual(config.data.labels, ["Jun 2024", "Jul 2024"]);
        assert.deepEqual(config.data.datasets.map((d) => d.label), ["On time", "Invoice accuracy", "Dispute win rate", "Tender acceptance"]);
        assert.deepEqual(config.data.datasets[0]?.data, [100, 66.7]);
        assert.deepEqual(config.data.datasets[1]?.data, [null, 50]);
        assert.deepEqual(config.data.datasets[2]?.data, [null, null]);
        assert.deepEqual((config.options.scales as { y: unknown }).y, { beginAtZero: true, max: 100 });
    });

    it("a table row per month and the total, with numerator and denominator", () => {
        const rows = tableRows(carrier(), words);
        assert.deepEqual(rows.map((r) => [r.key, r.label, r.isTotal]), [["2024-06", "Jun 2024", false], ["2024-07", "Jul 2024", false], ["total", "Total", true]]);
        const total = rows[2]!;
        assert.deepEqual(total.cells.map((c) => [c.key, c.percent, c.ratio]), [
            ["on_time", "75.0 %", "3 of 4"], ["invoice_accuracy", "50.0 %", "1 of 2"],
            ["dispute_win", "–", "0 of 0"], ["tender_acceptance", "66.7 %", "2 of 3"],
        ]);
        assert.equal(formatPercent(ratio(0, 0)), "–");
    });

    it("one view per carrier; a carrier with nothing counted is empty", () => {
        const empty: CarrierCard = { carrier_id: 9, carrier_name: null, total: card(ratio(0, 0), ratio(0, 0), ratio(0, 0), ratio(0, 0)), months: [] };
        const answer: ScorecardAnswer = { months: ["2024-06", "2024-07"], carriers: [carrier(), empty] };
        const views = carrierViews(answer, words);
        assert.deepEqual(views.map((v) => [v.carrierId, v.name, v.empty]), [[7, "Blue Ridge", false], [9, "9", true]]);
        assert.equal(views[0]?.chartLabel, "Blue Ridge: the four figures per month, in percent");
    });

    it("route parameters: no carrier means all", () => {
        assert.deepEqual(routeParams({ carrierId: null, months: 6 }), { months: 6 });
        assert.deepEqual(routeParams({ carrierId: 7, months: 12 }), { months: 12, carrier_id: 7 });
    });
});
