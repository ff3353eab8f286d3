import { Component, useState } from "@odoo/owl";
import { getCurrency } from "@web/core/currency";
import { Dialog } from "@web/core/dialog/dialog";
import { _t } from "../i18n";
import { localization } from "@web/core/l10n/localization";
import { registry } from "@web/core/registry";
import { useService, type OrmService } from "@web/core/utils/hooks";
import { KanbanRecord } from "@web/views/kanban/kanban_record";
import { KanbanRenderer } from "@web/views/kanban/kanban_renderer";
import { kanbanView } from "@web/views/kanban/kanban_view";
import type { DateTime } from "luxon";
import {
    agingBadge, avatarUrl, errorMessage, formatAmount, quickActions,
    type AgingBadge, type QuickAction,
} from "./kanban_model";
import { kanbanWords, type KanbanWords } from "./words";

interface NoteDialogProps {
    title: string;
    /** [code, label] of dispute reasons; none: a plain note */
    reasons: [string, string][];
    confirmLabel: string;
    /** true when the server took it: the dialog closes, else it stays to be fixed */
    onConfirm(reason: string, note: string): Promise<boolean>;
    close(): void;
}

export class ExceptionNoteDialog extends Component<NoteDialogProps> {
    static override template = "freight_sync_web.ExceptionNoteDialog";
    static components = { Dialog };
    static override props = {
        title: String, reasons: Array, confirmLabel: String, onConfirm: Function, close: Function,
    };

    state!: { reason: string; note: string; busy: boolean };

    override setup(): void {
        this.state = useState({ reason: this.props.reasons[0]?.[0] ?? "", note: "", busy: false });
    }

    get canConfirm(): boolean {
        return !this.state.busy && this.state.note.trim() !== "";
    }

    async confirm(): Promise<void> {
        if (!this.canConfirm) {
            return;
        }
        this.state.busy = true;
        let done = false;
        try {
            done = await this.props.onConfirm(this.state.reason, this.state.note.trim());
        } finally {
            this.state.busy = false;
        }
        if (done) {
            this.props.close();
        }
    }
}

interface CardView {
    aging: AgingBadge;
    amount: string | null;
    assignee: { name: string; url: string } | null;
    actions: QuickAction[];
}

type Many2one = [number, string] | false;

function toDate(value: unknown): Date | null {
    return value && typeof value === "object" && "toJSDate" in value ? (value as DateTime).toJSDate() : null;
}

/** A freight.exception card: aging badge, amount at stake, assignee and quick actions. */
export class ExceptionKanbanRecord extends KanbanRecord {
    static override template = "freight_sync_web.ExceptionKanbanRecord";

    orm!: OrmService;
    quick!: { busy: boolean };
    words!: KanbanWords;

    override setup(): void {
        super.setup();
        this.orm = useService("orm");
        this.quick = useState({ busy: false });
        this.words = kanbanWords();
    }

    // the record is a flex row: stack the card strip under the kanban-box, not beside it
    override getRecordClasses(): string {
        return `${super.getRecordClasses()} flex-column o_freight_exception_record`;
    }

    get cardView(): CardView {
        const { record } = this.props;
        const data = record.data;
        const user = data.user_id as Many2one;
        const currency = data.currency_id as Many2one;
        const closed = Boolean(data.is_closed);
        const url = user ? avatarUrl(user[0]) : null;
        return {
            aging: agingBadge(this.words, { created: toDate(data.create_date), deadline: toDate(data.deadline), closed, now: new Date() }),
            amount: formatAmount(data.amount_at_stake as number, currency ? getCurrency(currency[0]) : null, localization),
            assignee: user && url ? { name: user[1], url } : null,
            actions: quickActions(this.words, {
                closed,
                waiting: Boolean(data.is_waiting),
                assigneeId: user ? user[0] : false,
                currentUserId: this.user.userId,
                // the kanban passes readonly=true to every card (fields are not edited there):
                // only sample data makes the buttons pointless
                readonly: record.model.useSampleModel,
            }),
        };
    }

    onQuickAction(action: QuickAction): void {
        if (!action.needsNote) {
            void this.runAction(action, []);
            return;
        }
        const dispute = action.name === "dispute";
        this.dialog.add(ExceptionNoteDialog, {
            title: dispute ? _t("Dispute with the carrier") : _t("Resolve the case"),
            reasons: dispute ? this.props.record.fields.dispute_reason?.selection ?? [] : [],
            confirmLabel: action.label,
            onConfirm: (reason: string, note: string) => this.runAction(action, dispute ? [reason, note] : [note]),
        });
    }

    async runAction(action: QuickAction, args: string[]): Promise<boolean> {
        const { record } = this.props;
        if (!record.resId || this.quick.busy) {
            return false;
        }
        this.quick.busy = true;
        try {
            await this.orm.call("freight.exception", action.method, [[record.resId], ...args]);
        } catch (error) {
            this.notification.add(errorMessage(this.words, error), { type: "danger", title: _t("%s: not done", action.label) });
            return false;
        } finally {
            this.quick.busy = false;
        }
        // a stage change moves the card to another column: only a board reload shows that
        await (action.name === "assign_to_me" ? record.load() : record.model.load());
        return true;
    }
}

export class ExceptionKanbanRenderer extends KanbanRenderer {
    static override components = { ...KanbanRenderer.components, KanbanRecord: ExceptionKanbanRecord };
}

export const exceptionKanbanView = { ...kanbanView, Renderer: ExceptionKanbanRenderer };

registry.category("views").add("freight_exception_kanban", exceptionKanbanView);
