// Odoo 17's kanban view and the few helpers around it, as the exception kanban uses them
// (web/static/src/views/kanban, core/currency, core/l10n/localization, core/dialog).

declare module "@web/views/kanban/kanban_record" {
    import { Component } from "@odoo/owl";
    import type { NotificationService } from "@web/core/utils/hooks";

    export interface KanbanFieldInfo {
        type: string;
        selection?: [string, string][];
    }

    /** a record of the relational model: luxon DateTime for dates, [id, name] for many2one */
    export interface KanbanDataRecord {
        resId: number | false;
        data: Record<string, unknown>;
        fields: Record<string, KanbanFieldInfo>;
        model: { useSampleModel: boolean; load(): Promise<void> };
        load(): Promise<void>;
    }

    export interface KanbanRecordProps {
        record: KanbanDataRecord;
        readonly?: boolean;
        [prop: string]: unknown;
    }

    export interface DialogService {
        add(component: unknown, props?: object, options?: { onClose?: () => void }): () => void;
    }

    export class KanbanRecord extends Component<KanbanRecordProps> {
        static components: Record<string, unknown>;
        notification: NotificationService;
        dialog: DialogService;
        user: { userId: number };
        onGlobalClick(ev: MouseEvent): void;
        getRecordClasses(): string;
    }
}

declare module "@web/views/kanban/kanban_renderer" {
    import { Component } from "@odoo/owl";

    export class KanbanRenderer extends Component {
        static components: Record<string, unknown>;
    }
}

declare module "@web/views/kanban/kanban_view" {
    export interface ViewDescription {
        type: string;
        Renderer: unknown;
        [key: string]: unknown;
    }
    export const kanbanView: ViewDescription;
}

declare module "@web/core/dialog/dialog" {
    import { Component } from "@odoo/owl";

    export class Dialog extends Component {}
}

declare module "@web/core/currency" {
    export function getCurrency(id: number): { symbol: string; position: "before" | "after"; digits?: [number, number] } | undefined;
}

declare module "@web/core/l10n/localization" {
    export const localization: { thousandsSep: string; decimalPoint: string };
}
