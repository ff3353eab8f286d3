/** When the open timeline is stale: pure, so the polling rule is tested in Node. */

export interface TimelineVersion {
    count: number;
    last_id: number;
}

export const REFRESH_MS = 5000;

export function shownVersion(ids: readonly number[]): TimelineVersion {
    const saved = ids.filter((id) => typeof id === "number" && id > 0);
    return { count: saved.length, last_id: saved.length ? Math.max(...saved) : 0 };
}

/** True when the server has milestones the form does not show (or fewer: one was removed). */
export function needsReload(server: TimelineVersion, shown: TimelineVersion): boolean {
    return server.count !== shown.count || server.last_id !== shown.last_id;
}
