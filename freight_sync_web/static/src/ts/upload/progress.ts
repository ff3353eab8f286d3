/** What the clerk sees of a background invoice import: pure, tested in Node. */
import { fill } from "../fill";
import type { UploadWords } from "./words";

export const UPLOAD_REFRESH_MS = 2000;

export interface UploadState {
    state: string;
    done: number;
    total: number;
}

export interface ProgressView {
    percent: number;
    label: string;
    /** the import is still moving: keep polling, animate the bar */
    active: boolean;
    tone: "info" | "success" | "danger";
}

export function isImporting(state: string): boolean {
    return state === "queued" || state === "running";
}

export function progressView(words: UploadWords, { state, done, total }: UploadState): ProgressView {
    const safeTotal = Math.max(total, 0);
    const safeDone = Math.min(Math.max(done, 0), safeTotal);
    const percent = state === "done" ? 100 : safeTotal ? Math.floor((100 * safeDone) / safeTotal) : 0;
    const all = safeTotal.toLocaleString("en-US");
    const count = fill(words.count, safeDone.toLocaleString("en-US"), all);
    switch (state) {
        case "queued":
            return { percent, label: fill(words.waiting, all), active: true, tone: "info" };
        case "running":
            return { percent, label: fill(words.running, count, percent), active: true, tone: "info" };
        case "failed":
            return { percent, label: fill(words.stopped, count), active: false, tone: "danger" };
        default:
            return { percent, label: fill(words.processed, all), active: false, tone: "success" };
    }
}
