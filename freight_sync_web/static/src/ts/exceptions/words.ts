import { _t } from "../i18n";

/** The exception cards' phrases, in the user's language; `%s` is filled by fill(). */
export function kanbanWords() {
    return {
        overdue: _t("Overdue %s"),
        dueIn: _t("Due in %s"),
        assignToMe: _t("Assign to me"),
        dispute: _t("Dispute with the carrier"),
        resolve: _t("Resolve"),
        failed: _t("Something went wrong."),
    };
}

export type KanbanWords = ReturnType<typeof kanbanWords>;
