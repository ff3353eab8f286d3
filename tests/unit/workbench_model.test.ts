import { strict as assert } from "node:assert";
import { describe, it, test } from "node:test";
import {
    bulkSummary, chunks, fill, commandFor, DEFAULT_STATE, formProblem, fromUrl, moveSelection, pageInfo, percent,
    proposedAmount, shortPayAmount,
    doneMessage, localDate, localTime, queueParams, varianceToneOf, toUrl, urlPatch, varianceLabel, varianceTone,
} from "../../freight_sync_web/static/src/ts/workbench/workbench_model";
import { workbenchWords } from "../../freight_sync_web/static/src/ts/workbench/words";

const words = workbenchWords();

describe("workbench state in the URL", () => {
    it("round-trips every filter, the sort, the page and the open invoice", () => {
        const state = {
            filters: { state: ["exception"], carrierId: 7, varianceAbove: 25, ageDays: 30, mine: true, search: "PRO-100" },
            sort: "variance desc", offset: 80, invoiceId: 42,
        };
        assert.deepEqual(fromUrl(toUrl(state)), state);
        assert.deepEqual(toUrl(state), {
            invoice: "42", states: "exception", carrier: "7", over: "25", age: "30", mine: "1", q: "PRO-100",
            sort: "variance desc", offset: "80",
        });
    });

    it("ignores what a hand-edited link gets wrong", () => {
        const state = fromUrl({ states: "exception.bogus", sort: "drop table", offset: "-5", invoice: "x", carrier: "NaN" });
        assert.deepEqual(state.filters.state, ["exception"]);
        assert.equal(state.sort, "date desc");
        assert.equal(state.offset, 0);
        assert.equal(state.invoiceId, null);
        assert.equal(state.filters.carrierId, null);
        assert.deepEqual(fromUrl({}), DEFAULT_STATE);
    });

    it("sends only the filters that are set", () => {
        assert.deepEqual(queueParams({ ...DEFAULT_STATE, filters: { ...DEFAULT_STATE.filters, search: "  LD1 " } }, 10), {
            filters: { state: ["audited", "exception", "disputed"], search: "LD1" }, sort: "date desc", offset: 0, limit: 10,
        });
    });
});

describe("workbench keyboard", () => {
    it("maps the documented keys, and leaves typing alone", () => {
        assert.deepEqual(["j", "k", "a", "d", "s", "/", "?", "x"].map((k) => commandFor(k, false)),
            ["next", "previous", "approve", "dispute", "accept", "search", "help", null]);
        assert.equal(commandFor("a", true), null);
        assert.equal(commandFor("j", false, true), null, "ctrl-j is the browser's");
        assert.equal(commandFor("Escape", true), "escape");
    });

    it("moves the selection within the page", () => {
        const ids = [5, 9, 2];
        assert.equal(moveSelection(ids, null, 1), 5);
        assert.equal(moveSelection(ids, 5, 1), 9);
        assert.equal(moveSelection(ids, 2, 1), 2);
        assert.equal(moveSelection(ids, 5, -1), 5);
        assert.equal(moveSelection(ids, 77, -1), 5);
        assert.equal(moveSelection([], 5, 1), null);
    });
});

describe("workbench numbers", () => {
    it("pages", () => {
        assert.deepEqual(pageInfo(40, 40, 95), { from: 41, to: 80, total: 95, capped: false, hasPrevious: true, hasNext: true });
        assert.deepEqual(pageInfo(0, 0, 0), { from: 0, to: 0, total: 0, capped: false, hasPrevious: false, hasNext: false });
        // the server stopped counting: more pages follow, the total is a lower bound
        assert.deepEqual(pageInfo(0, 40, 10040, true), { from: 1, to: 40, total: 10040, capped: true, hasPrevious: false, hasNext: true });
    });

    it("says a variance in words and colours it against the tolerance", () => {
        assert.equal(varianceLabel(words, 4, "USD"), "over by 4.00 USD");
        assert.equal(varianceLabel(words, -1250.5), "under by 1,250.50");
        assert.equal(varianceLabel(words, 0.001), "as expected");
        assert.equal(varianceLabel(words, null), "no expectation");
        assert.deepEqual([varianceTone(-3, 2), varianceTone(1.5, 2), varianceTone(2.5, 2), varianceTone(null, 2)],
            ["ok", "warn", "bad", "warn"]);
    });

    it("summarizes a bulk approval", () => {
        assert.equal(bulkSummary(words, [{ id: 1, ok: true, message: "" }, { id: 2, ok: false, message: "over" }]), "1 approved, 1 skipped");
        assert.equal(bulkSummary(words, [{ id: 1, ok: true, message: "" }]), "1 approved");
    });
});

test("URL values cast to numbers by the router still read back", () => {
    const state = fromUrl({ invoice: 42, q: 12345, over: 10, states: "exception" });
    assert.equal(state.invoiceId, 42);
    assert.equal(state.filters.search, "12345");
    assert.equal(state.filters.varianceAbove, 10);
});

test("urlPatch clears the keys no longer in use", () => {
    const patch = urlPatch({ ...DEFAULT_STATE, invoiceId: 7 });
    assert.equal(patch.invoice, "7");
    assert.ok("q" in patch && patch.q === undefined);
    assert.ok("offset" in patch && patch.offset === undefined);
});

test("a decision needs its reason, a dispute its reason code", () => {
    assert.equal(formProblem(words, "approve", "", ""), null);
    assert.equal(formProblem(words, "reaudit", "", ""), null, "audit again needs no reason");
    assert.match(formProblem(words, "dispute", "late", "") ?? "", /why you dispute/);
    assert.match(formProblem(words, "override", "  ", "") ?? "", /Say why/);
    assert.equal(formProblem(words, "dispute", "late", "service"), null);
});

test("a short-pay asks for the amount to pay: more than 0.00, at most the billed", () => {
    assert.equal(proposedAmount(500), "500.00");
    assert.equal(proposedAmount(0), "", "nothing priced: no 0.00 proposed");
    assert.equal(shortPayAmount("520", 640), 520);
    assert.equal(shortPayAmount(" 12,5 ", 640), 12.5);
    for (const bad of ["", "0", "-3", "abc", "640.01"]) assert.equal(shortPayAmount(bad, 640), null, bad);
    assert.equal(formProblem(words, "short_pay", "no answer", "", "520", 640), null);
    assert.match(formProblem(words, "short_pay", "no answer", "", "0", 640) ?? "", /more than 0.00 and at most the 640.00 billed/);
    assert.match(formProblem(words, "short_pay", "no answer", "", "", 640) ?? "", /more than 0.00/);
});

test("bulk work is chunked and its progress counted", () => {
    assert.deepEqual(chunks([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
    assert.deepEqual(chunks([], 2), []);
    assert.equal(percent(2, 5), 40);
    assert.equal(percent(0, 0), 0);
});

test("milestone times are shown in the reader's zone", () => {
    assert.equal(localTime("2026-11-27 21:28:14", "America/Chicago"), "Nov 27, 2026, 3:28 PM");
    assert.equal(localTime(false), "");
});

test("clerk words for states, outcomes and dates", () => {
    assert.equal(doneMessage(words, "BR-1", "dispute"), "BR-1 disputed: waiting on the carrier.");
    assert.equal(doneMessage(words, "BR-1", "approve"), "BR-1 approved.");
    assert.equal(doneMessage(words, "BR-1", "reaudit"), "BR-1 audited again with today's evidence.");
    assert.equal(localDate("2026-11-29"), "Nov 29, 2026");
    assert.equal(localDate(false), "");
    assert.equal(varianceToneOf(8, true), "warn");
    assert.equal(varianceToneOf(8, false), "bad");
    assert.equal(varianceToneOf(0, false), "ok");
});

test("phrases come from the (translated) words, values filled in order", () => {
    assert.equal(fill("%s approved, %s skipped", 4, 1), "4 approved, 1 skipped");
    assert.equal(fill("no value %s"), "no value ");
    const french = { ...words, overBy: "%s de trop", approvedAndSkipped: "%s approuvées, %s ignorées" };
    assert.equal(varianceLabel(french, 4, "EUR"), "4.00 EUR de trop");
    assert.equal(bulkSummary(french, [{ id: 1, ok: true, message: "" }, { id: 2, ok: false, message: "" }]), "1 approuvées, 1 ignorées");
    assert.equal(words.states.disputed, "Disputed");
    assert.equal(words.shortcuts.length, 7, "j/k, a, d, s, /, ?, Esc");
});
