/** The dispute window marker of the workbench's invoice: the last day a dispute can reach
 * the carrier (freight.exception's dispute_by), red when it is close or gone. Pure, tested
 * in Node; phrases come in as `words` (words.ts, translated). */
import { fill } from "../fill";
import type { DisputeWindow } from "./api";
import { localDate } from "./workbench_model";
import type { Words } from "./words";

export interface WindowMarker {
    /** "Dispute by Jan 31, 2027" */
    label: string;
    /** how many days are left, or how long ago it closed */
    hint: string;
    /** "Urgent", "Window lapsed"; "" while there is time */
    badge: string;
    urgent: boolean;
}

/** Nothing to show once the dispute was sent or the case closed (the window no longer
 * matters), nor without a window. */
export function disputeWindowMarker(words: Words, window: DisputeWindow | null | undefined): WindowMarker | null {
    if (!window || !["ok", "urgent", "lapsed"].includes(window.urgency)) {
        return null;
    }
    const left = window.days_left;
    let hint: string;
    if (left < 0) hint = fill(words.windowLapsedAgo, -left);
    else if (left === 0) hint = words.windowLastDay;
    else if (left === 1) hint = words.windowOneDayLeft;
    else hint = fill(words.windowDaysLeft, left);
    const badge = window.urgency === "lapsed" ? words.windowLapsed : window.urgency === "urgent" ? words.windowUrgent : "";
    return { label: fill(words.disputeBy, localDate(window.dispute_by)), hint, badge, urgent: window.urgency !== "ok" };
}
