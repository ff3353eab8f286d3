import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { healthPanel, type HealthData } from "../../freight_sync_web/static/src/ts/dashboard/health_model";
import { dashboardWords } from "../../freight_sync_web/static/src/ts/dashboard/words";

const words = dashboardWords();
const drill = { model: "freight.alert", name: "Open alerts", domain: [["state", "=", "open"]] };

function degraded(): HealthData {
    return {
        status: "degraded",
        reasons: ["queue_age", "dead_letters"],
        checks: {
            database: { status: "ok" },
            queue_age: { status: "degraded", value: 1800, limit: 900 },
            dead_letters: { status: "degraded", value: 12, limit: 10 },
            latency: { status: "ok", value: null, limit: 300 },
        },
        lanes: [{ lane: "invoices", depth: 0, oldest_due_seconds: null }, { lane: "milestones", depth: 4, oldest_due_seconds: 1800 }],
        alerts: [{ id: 3, reason: "dead_letters", name: "Dead letters over the limit", opened_at: "2026-12-06 20:05:00" }],
        drill,
    };
}

describe("dashboard health", () => {
    it("words a degraded integration with its reasons, queues and open alerts", () => {
        assert.deepEqual(healthPanel(words, degraded()), {
            tone: "danger",
            status: "Degraded",
            reasons: ["Queue waiting too long", "Dead letters over the limit"],
            lanes: [{ lane: "invoices", depth: 0, age: "–" }, { lane: "milestones", depth: 4, age: "30.0 min" }],
            deadLetters: "12 (limit 10)",
            latency: "– (limit 5.0 min)",
            alerts: [{ id: 3, name: "Dead letters over the limit", since: "2026-12-06 20:05 UTC" }],
            drill,
        });
    });

    it("a healthy integration is green with no reason", () => {
        const panel = healthPanel(words, { ...degraded(), status: "ok", reasons: [], alerts: [] });
        assert.equal(panel?.tone, "success");
        assert.equal(panel?.status, "Healthy");
        assert.deepEqual(panel?.reasons, []);
    });

    it("no panel for a user who may not see the integration, nor from an older server", () => {
        assert.equal(healthPanel(words, null), null);
        assert.equal(healthPanel(words, undefined), null);
    });
});
