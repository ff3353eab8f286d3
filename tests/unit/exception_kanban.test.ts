import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import {
    agingBadge, avatarUrl, errorMessage, formatAmount, quickActions, shortDuration, type CardState,
} from "../../freight_sync_web/static/src/ts/exceptions/kanban_model";
import { kanbanWords } from "../../freight_sync_web/static/src/ts/exceptions/words";

const words = kanbanWords();

const NOW = new Date("2024-07-12T12:00:00Z");
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3600e3);
const badge = (createdHoursAgo: number, deadlineHoursAgo: number | null = null, closed = false) =>
    agingBadge(words, {
        created: hoursAgo(createdHoursAgo),
        deadline: deadlineHoursAgo === null ? null : hoursAgo(deadlineHoursAgo),
        closed,
        now: NOW,
    });

describe("exception kanban: aging badge", () => {
    it("ages from fresh to aging to stale", () => {
        assert.deepEqual(badge(5), { bucket: "fresh", tone: "info", label: "5h", ageDays: 0 });
        assert.deepEqual([badge(47).bucket, badge(48).bucket, badge(24 * 7 - 1).bucket], ["fresh", "aging", "aging"]);
        assert.deepEqual(badge(24 * 7), { bucket: "stale", tone: "danger", label: "7d", ageDays: 7 });
    });

    it("lets the deadline win: overdue, then due soon", () => {
        assert.deepEqual(badge(1, 3), { bucket: "overdue", tone: "danger", label: "Overdue 3h", ageDays: 0 });
        assert.equal(badge(24 * 10, 50).label, "Overdue 2d");
        assert.deepEqual([badge(1, -5).bucket, badge(1, -5).label], ["due_soon", "Due in 5h"]);
        assert.equal(badge(1, -30).bucket, "fresh", "a far deadline leaves the age in charge");
    });

    it("greys out closed cases and tolerates missing or future dates", () => {
        assert.deepEqual(badge(24 * 30, 24 * 20, true), { bucket: "closed", tone: "secondary", label: "30d", ageDays: 30 });
        assert.deepEqual(agingBadge(words, { created: null, deadline: null, closed: false, now: NOW }).label, "<1h");
        assert.equal(badge(-2).ageDays, 0, "clock skew never gives a negative age");
        assert.deepEqual([shortDuration(0), shortDuration(59 * 60e3), shortDuration(-5)], ["<1h", "<1h", "<1h"]);
    });
});

describe("exception kanban: amount at stake", () => {
    const usd = { symbol: "$", position: "before" as const, digits: [69, 2] as [number, number] };
    const eur = { symbol: "€", position: "after" as const, digits: [69, 2] as [number, number] };

    it("formats with the currency and the user's separators", () => {
        assert.equal(formatAmount(1234.5, usd), "$\u00a01,234.50");
        assert.equal(formatAmount(1234567.891, eur, { thousandsSep: ".", decimalPoint: "," }), "1.234.567,89\u00a0€");
        assert.equal(formatAmount(-80, usd), "-$\u00a080.00");
        assert.equal(formatAmount(1500, { symbol: "¥", position: "before", digits: [69, 0] }), "¥\u00a01,500");
        assert.equal(formatAmount(999.999, null), "1,000.00");
    });

    it("shows nothing when nothing is at stake", () => {
        for (const amount of [0, false, null, undefined, Number.NaN] as const) {
            assert.equal(formatAmount(amount, usd), null);
        }
    });
});

describe("exception kanban: quick actions", () => {
    const card = (over: Partial<CardState> = {}): string[] =>
        quickActions(words, { closed: false, waiting: false, assigneeId: false, currentUserId: 7, readonly: false, ...over })
            .map((a) => a.name);

    it("offers what would change something", () => {
        assert.deepEqual(card(), ["assign_to_me", "dispute", "resolve"]);
        assert.deepEqual(card({ assigneeId: 7 }), ["dispute", "resolve"]);
        assert.deepEqual(card({ assigneeId: 3, waiting: true }), ["assign_to_me", "resolve"]);
    });

    it("offers nothing on closed cases or sample data", () => {
        assert.deepEqual(card({ closed: true }), []);
        assert.deepEqual(card({ readonly: true }), []);
    });

    it("maps each button to its server method, notes only where the server wants one", () => {
        const actions = quickActions(words, { closed: false, waiting: false, assigneeId: false, currentUserId: 1, readonly: false });
        assert.deepEqual(actions.map((a) => [a.method, a.needsNote]), [
            ["action_assign_to_me", false], ["action_dispute", true], ["action_resolve", true],
        ]);
    });
});

describe("exception kanban: helpers", () => {
    it("points avatars at the user's image", () => {
        assert.equal(avatarUrl(4), "/web/image/res.users/4/avatar_128");
        assert.equal(avatarUrl(false), null);
    });

    it("prefers the server's message", () => {
        assert.equal(errorMessage(words, { message: "RPC_ERROR", data: { message: "Say why you dispute" } }), "Say why you dispute");
        assert.equal(errorMessage(words, new Error("offline")), "offline");
        assert.equal(errorMessage(words, undefined), "Something went wrong.");
    });
});
