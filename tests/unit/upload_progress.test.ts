import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { isImporting, progressView as view, type UploadState } from "../../freight_sync_web/static/src/ts/upload/progress";
import { uploadWords } from "../../freight_sync_web/static/src/ts/upload/words";

const progressView = (upload: UploadState) => view(uploadWords(), upload);

describe("upload progress", () => {
    it("polls only while the import moves", () => {
        assert.deepEqual(["queued", "running", "done", "failed"].map(isImporting), [true, true, false, false]);
    });

    it("shows how far a running import got, rounded down", () => {
        assert.deepEqual(progressView({ state: "running", done: 200, total: 450 }), {
            percent: 44, label: "200 of 450 invoices (44 %)", active: true, tone: "info",
        });
        assert.equal(progressView({ state: "running", done: 1999, total: 2000 }).percent, 99);
        assert.equal(progressView({ state: "queued", done: 0, total: 12000 }).label, "Waiting to start: 12,000 invoices");
    });

    it("finishes at 100 %, and says where a failed import stopped", () => {
        assert.deepEqual(progressView({ state: "done", done: 450, total: 450 }), {
            percent: 100, label: "450 invoices processed", active: false, tone: "success",
        });
        const failed = progressView({ state: "failed", done: 400, total: 1000 });
        assert.deepEqual([failed.percent, failed.label, failed.tone], [40, "Stopped after 400 of 1,000 invoices", "danger"]);
    });

    it("never shows more than 100 % or divides by zero", () => {
        assert.equal(progressView({ state: "running", done: 12, total: 10 }).percent, 100);
        assert.equal(progressView({ state: "running", done: 0, total: 0 }).percent, 0);
        assert.equal(progressView({ state: "running", done: -3, total: 10 }).percent, 0);
    });
});
