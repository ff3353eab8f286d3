import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import type { DisputeWindow } from "../../freight_sync_web/static/src/ts/workbench/api";
import { disputeWindowMarker } from "../../freight_sync_web/static/src/ts/workbench/dispute_window";
import { workbenchWords } from "../../freight_sync_web/static/src/ts/workbench/words";

const words = workbenchWords();

function window(overrides: Partial<DisputeWindow> = {}): DisputeWindow {
    return { case_id: 5, dispute_by: "2027-01-31", urgency: "ok", days_left: 30, ...overrides };
}

describe("dispute window marker", () => {
    it("gives the last day quietly while there is time", () => {
        assert.deepEqual(disputeWindowMarker(words, window()), {
            label: "Dispute by Jan 31, 2027", hint: "30 days left to send the dispute", badge: "", urgent: false,
        });
    });

    it("turns urgent with the days counted down to the last day itself", () => {
        const urgent = (days_left: number) => disputeWindowMarker(words, window({ urgency: "urgent", days_left }));
        assert.deepEqual(urgent(14), { label: "Dispute by Jan 31, 2027", hint: "14 days left to send the dispute", badge: "Urgent", urgent: true });
        assert.equal(urgent(1)?.hint, "1 day left to send the dispute");
        assert.equal(urgent(0)?.hint, "last day to send the dispute");
    });

    it("says the money is lost once the window closed", () => {
        const lapsed = disputeWindowMarker(words, window({ urgency: "lapsed", days_left: -3 }));
        assert.equal(lapsed?.badge, "Window lapsed");
        assert.equal(lapsed?.urgent, true);
        assert.match(lapsed?.hint ?? "", /closed 3 day\(s\) ago/);
    });

    it("shows nothing once a dispute was sent, for a closed case, without a window or from an older server", () => {
        assert.equal(disputeWindowMarker(words, window({ urgency: "sent" })), null);
        assert.equal(disputeWindowMarker(words, window({ urgency: "none" })), null);
        assert.equal(disputeWindowMarker(words, null), null);
        assert.equal(disputeWindowMarker(words, undefined), null);
    });
});
