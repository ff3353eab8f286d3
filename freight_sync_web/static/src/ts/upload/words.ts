import { _t } from "../i18n";

/** The upload progress bar's phrases, in the user's language; `%s` is filled by fill(). */
export function uploadWords() {
    return {
        waiting: _t("Waiting to start: %s invoices"),
        count: _t("%s of %s invoices"),
        running: _t("%s (%s %)"),
        stopped: _t("Stopped after %s"),
        processed: _t("%s invoices processed"),
    };
}

export type UploadWords = ReturnType<typeof uploadWords>;
