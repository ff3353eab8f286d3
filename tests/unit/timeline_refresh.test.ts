import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { needsReload, shownVersion } from "../../freight_sync_web/static/src/ts/timeline/refresh";

describe("timeline refresh", () => {
    it("summarizes the milestones the form shows, ignoring unsaved ones", () => {
        assert.deepEqual(shownVersion([4, 9, 7]), { count: 3, last_id: 9 });
        assert.deepEqual(shownVersion([]), { count: 0, last_id: 0 });
        assert.deepEqual(shownVersion([3, 0, -1]), { count: 1, last_id: 3 });
    });

    it("reloads when the server has new or fewer milestones, not otherwise", () => {
        const shown = { count: 3, last_id: 9 };
        assert.equal(needsReload({ count: 3, last_id: 9 }, shown), false);
        assert.equal(needsReload({ count: 4, last_id: 12 }, shown), true);
        assert.equal(needsReload({ count: 2, last_id: 9 }, shown), true);
        // one removed and one added: same count, other last id
        assert.equal(needsReload({ count: 3, last_id: 10 }, shown), true);
    });
});
