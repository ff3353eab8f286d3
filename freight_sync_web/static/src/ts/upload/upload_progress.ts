import { Component, onMounted, onWillUnmount } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";
import type { FieldProps } from "../types/odoo-record";
import { isImporting, progressView, UPLOAD_REFRESH_MS, type ProgressView } from "./progress";
import { uploadWords, type UploadWords } from "./words";

/**
 * Field widget for freight.invoice.upload.progress: a progress bar that follows the
 * background import by reloading the record until it is done or failed.
 */
export class UploadProgress extends Component<FieldProps> {
    static override template = "freight_sync_web.UploadProgress";
    static override props = { ...standardFieldProps };

    private timer = 0;
    private loading = false;
    private words!: UploadWords;

    override setup(): void {
        this.words = uploadWords();
        onMounted(() => {
            this.timer = browser.setInterval(() => void this.refresh(), UPLOAD_REFRESH_MS);
        });
        onWillUnmount(() => browser.clearInterval(this.timer));
    }

    async refresh(): Promise<void> {
        const { record } = this.props;
        if (this.loading || !record.resId || !isImporting(String(record.data.state))) {
            return;
        }
        this.loading = true;
        try {
            await record.load();
        } catch {
            // offline or restarting server: the next tick tries again
        } finally {
            this.loading = false;
        }
    }

    get view(): ProgressView {
        const data = this.props.record.data;
        return progressView(this.words, {
            state: String(data.state),
            done: Number(data.invoice_done) || 0,
            total: Number(data.invoice_total) || 0,
        });
    }
}

export const uploadProgressField = {
    component: UploadProgress,
    displayName: "Upload progress",
    supportedTypes: ["float"],
    fieldDependencies: [
        { name: "state", type: "selection" },
        { name: "invoice_done", type: "integer" },
        { name: "invoice_total", type: "integer" },
    ],
};

registry.category("fields").add("freight_upload_progress", uploadProgressField);
