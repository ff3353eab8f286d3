import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import {
    buildRows, explanationLines, formatDays, initialSelection, keepSelection, moveSelection, noteText,
    sortForKey, sortQuotes, splitAmounts, suggestedCarrier, type Part, type Quote, type RateShopAnswer,
} from "../../freight_sync_web/static/src/ts/rate_shop/rate_shop_model";
import { rateShopWords } from "../../freight_sync_web/static/src/ts/rate_shop/words";

const words = rateShopWords();

function part(key: string, value: number | null, normalised: number, weight: number): Part {
    return { key, label: key, value, normalised, weight, points: Math.round(1000 * weight * normalised) / 10 };
}

function quote(carrierId: number, name: string, total: number, days: number | null, score: number, extra: Partial<Quote> = {}): Quote {
    return {
        carrier_id: carrierId, carrier_name: name, contract_id: carrierId * 10, lane_id: carrierId * 100,
        currency: "USD", total, total_company: total, amounts: { 400: total - 50, 405: 30, 420: 20 },
        transit_days: days, minimum_applied: false, weight_band: null,
        scorecard: { on_time: 90, invoice_accuracy: 80, dispute_win: null, tender_acceptance: 100 },
        score, breakdown: [part("cost", total, 1, 0.45), part("transit", days, 0.5, 0.15), part("on_time", 90, 0.9, 0.2),
            part("invoice_accuracy", null, 0.5, 0.1), part("tender_acceptance", 100, 1, 0.1)],
        notes: [], ...extra,
    };
}

function answer(): RateShopAnswer {
    return {
        shipment_id: 1, sort: "best_value", date: "2024-07-10", currency: "USD",
        current_carrier_id: 2, suggested_carrier_id: 3,
        quotes: [
            quote(3, "Cheap & slow", 500, 5, 80.5, { notes: ["cheapest"] }),
            quote(2, "Fast & dear", 900, 1, 70, { notes: ["fastest"] }),
            quote(4, "No transit", 700, null, 60),
        ],
        excluded: [{ carrier_id: 5, carrier_name: "Expired", reason: "no contract valid on 2024-07-10" }],
        weights: { cost: 0.45 },
    };
}

describe("rate shop model", () => {
    it("sorts like the server: cost, speed (not stated last), best value", () => {
        const quotes = answer().quotes;
        assert.deepEqual(sortQuotes(quotes, "cost").map((q) => q.carrier_id), [3, 4, 2]);
        assert.deepEqual(sortQuotes(quotes, "speed").map((q) => q.carrier_id), [2, 3, 4]);
        assert.deepEqual(sortQuotes(quotes, "best_value").map((q) => q.carrier_id), [3, 2, 4]);
    });

    it("breaks ties on the other criteria, then the carrier id", () => {
        const tied = [quote(9, "B", 500, 2, 70), quote(8, "A", 500, 2, 70), quote(7, "C", 500, 2, 75)];
        assert.deepEqual(sortQuotes(tied, "cost").map((q) => q.carrier_id), [7, 8, 9]);
    });

    it("the suggestion is best value's first whatever the sort shown", () => {
        const rows = buildRows(answer(), "speed", words);
        assert.equal(suggestedCarrier(answer()), 3);
        assert.deepEqual(rows.map((r) => [r.carrierId, r.suggested, r.current]), [[2, false, true], [3, true, false], [4, false, false]]);
    });

    it("formats a row: total, breakdown, transit, figures, score and why", () => {
        const [row] = buildRows(answer(), "cost", words);
        assert.ok(row);
        assert.equal(row.total, "500.00 USD");
        assert.deepEqual([row.linehaul, row.fuel, row.accessorial], ["450.00", "30.00", "20.00"]);
        assert.equal(row.transit, "5 days");
        assert.deepEqual(row.figures.map((f) => f.value), ["90.0 %", "80.0 %", "not stated", "100.0 %"]);
        assert.equal(row.score, "80.5");
        assert.equal(row.explanationLines[0], "Cost: 45.0 points of 45");
        assert.ok(row.explanation.startsWith("Best value 80.5 of 100\nCost: 45.0 points of 45"));
        assert.equal(row.notes, "cheapest");
    });

    it("splits amounts by the codes the server names, accessorials being the rest", () => {
        assert.deepEqual(splitAmounts({ LH: 100, FSC: 10.1, 420: 5, 430: 2.2 }, { linehaul: "LH", fuel: "FSC" }),
            { linehaul: 100, fuel: 10.1, accessorial: 7.2 });
        assert.deepEqual(splitAmounts({}), { linehaul: 0, fuel: 0, accessorial: 0 });
    });

    it("days and notes in words", () => {
        assert.equal(formatDays(1, words), "1 day");
        assert.equal(formatDays(null, words), "not stated");
        const q = quote(1, "x", 1, 1, 1);
        assert.equal(noteText("no history for invoice accuracy (half marks)", q, words), "no history for invoice accuracy (half marks)");
        assert.equal(noteText("minimum charge applies", q, words), "minimum charge applies");
        assert.equal(noteText("something new", q, words), "something new");
        assert.equal(explanationLines(q, words).length, 5);
    });

    it("keyboard: arrows stay in the table, 1/2/3 switch the sort", () => {
        assert.equal(moveSelection(-1, 1, 3), 0);
        assert.equal(moveSelection(-1, -1, 3), 2);
        assert.equal(moveSelection(0, -1, 3), 0);
        assert.equal(moveSelection(1, 1, 3), 2);
        assert.equal(moveSelection(2, 1, 3), 2);
        assert.equal(moveSelection(0, 1, 0), -1);
        assert.equal(sortForKey("1"), "cost");
        assert.equal(sortForKey("2"), "speed");
        assert.equal(sortForKey("3"), "best_value");
        assert.equal(sortForKey("4"), null);
    });

    it("the selection starts on the suggestion and follows its carrier across sorts", () => {
        const byValue = buildRows(answer(), "best_value", words);
        const bySpeed = buildRows(answer(), "speed", words);
        assert.equal(initialSelection(byValue), 0);
        assert.equal(initialSelection(bySpeed), 1);
        assert.equal(keepSelection(byValue, bySpeed, 2), 2);
        assert.equal(keepSelection(byValue, bySpeed, 0), 1);
        assert.equal(initialSelection([]), -1);
    });
});
