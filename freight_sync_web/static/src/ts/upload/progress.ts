/** What the clerk sees of a background invoice import: pure, tested in Node. */

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

export function progressView({ state, done, total }: UploadState): ProgressView {
    const safeTotal = Math.max(total, 0);
    const safeDone = Math.min(Math.max(done, 0), safeTotal);
    const percent = state === "done" ? 100 : safeTotal ? Math.floor((100 * safeDone) / safeTotal) : 0;
    const count = `${safeDone.toLocaleString("en-US")} of ${safeTotal.toLocaleString("en-US")} invoices`;
    switch (state) {
        case "queued":
            return { percent, label: `Waiting to start: ${safeTotal.toLocaleString("en-US")} invoices`, active: true, tone: "info" };
        case "running":
            return { percent, label: `${count} (${percent} %)`, active: true, tone: "info" };
        case "failed":
            return { percent, label: `Stopped after ${count}`, active: false, tone: "danger" };
        default:
            return { percent, label: `${safeTotal.toLocaleString("en-US")} invoices processed`, active: false, tone: "success" };
    }
}
