import { Component, onWillStart, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService, type NotificationService, type Rpc } from "@web/core/utils/hooks";
import { fill } from "../fill";
import { serverMessage } from "../server_error";
import type { OdooRecord } from "../types/odoo-record";
import {
    buildRows, initialSelection, keepSelection, moveSelection, sortForKey, SORTS,
    type RateShopAnswer, type Row, type Sort,
} from "./rate_shop_model";
import { rateShopWords, type RateShopWords } from "./words";

export const RATE_SHOP_ROUTE = "/freight_sync/ui/v1/rate_shop";
export const CHOOSE_ROUTE = "/freight_sync/ui/v1/rate_shop/choose";
export const TENDER_ROUTE = "/freight_sync/ui/v1/tender";

interface ChooseAnswer {
    carrier_id: number;
    quoted_total: number;
    quoted_currency: string;
}

interface TenderAnswer {
    tender_id: number;
    state: string;
    carrier_name: string;
    tender_state: string;
}

interface WidgetProps {
    record: OdooRecord;
    readonly?: boolean;
}

/**
 * View widget freight_rate_shop on the shipment form: every carrier's quote, sortable by
 * cost, speed or best value, the suggestion highlighted; a dispatcher chooses a carrier
 * (and tenders) by mouse or keyboard. The server ranks and prices (services/rate_shop.py):
 * the panel loads once and re-sorts the same quotes locally.
 */
export class RateShopPanel extends Component<WidgetProps> {
    static override template = "freight_sync_web.RateShopPanel";
    static override props = { record: Object, readonly: { type: Boolean, optional: true } };

    private rpc!: Rpc;
    private notification!: NotificationService;
    words!: RateShopWords;
    sorts = SORTS;
    state!: {
        answer: RateShopAnswer | null; sort: Sort; selected: number; loading: boolean; busy: boolean;
        error: string;
    };

    override setup(): void {
        this.words = rateShopWords();
        this.rpc = useService("rpc");
        this.notification = useService("notification");
        this.state = useState({ answer: null, sort: "best_value", selected: -1, loading: false, busy: false, error: "" });
        onWillStart(() => this.load());
    }

    get rows(): Row[] {
        return this.state.answer ? buildRows(this.state.answer, this.state.sort, this.words) : [];
    }

    /** The server's suggestion (best value), whatever the sort shown. */
    get suggestion(): Row | undefined {
        return this.rows.find((row) => row.suggested);
    }

    label(template: string, value: string | number): string {
        return fill(template, String(value));
    }

    get tableLabel(): string {
        return fill(this.words.tableLabel, this.words.sorts[this.state.sort] ?? this.state.sort);
    }

    async load(): Promise<void> {
        const shipmentId = this.props.record.resId;
        if (!shipmentId) {
            return;
        }
        this.state.loading = true;
        try {
            const answer = await this.rpc<RateShopAnswer>(RATE_SHOP_ROUTE, { shipment_id: shipmentId, sort: "best_value" });
            this.state.answer = answer;
            this.state.error = "";
            this.state.selected = initialSelection(buildRows(answer, this.state.sort, this.words));
        } catch (error) {
            this.state.error = serverMessage(error, this.words.notLoaded);
        } finally {
            this.state.loading = false;
        }
    }

    setSort(sort: Sort): void {
        const before = this.rows;
        this.state.sort = sort;
        this.state.selected = keepSelection(before, this.rows, this.state.selected);
    }

    select(index: number): void {
        this.state.selected = index;
    }

    onKeydown(ev: KeyboardEvent): void {
        // keys pressed on a row's own buttons are theirs
        if (ev.altKey || ev.ctrlKey || ev.metaKey || ev.target !== ev.currentTarget) {
            return;
        }
        const rows = this.rows;
        const sort = sortForKey(ev.key);
        if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
            this.state.selected = moveSelection(this.state.selected, ev.key === "ArrowDown" ? 1 : -1, rows.length);
        } else if (ev.key === "Enter") {
            const row = rows[this.state.selected];
            if (row) {
                void this.choose(row, ev.shiftKey);
            }
        } else if (sort) {
            this.setSort(sort);
        } else {
            return;
        }
        ev.preventDefault();
        ev.stopPropagation();
    }

    /** Choose the row's carrier (the quote as shown: refused if its price changed), then
     * tender when asked; the form shows the result. */
    async choose(row: Row, tender = false): Promise<void> {
        const { record } = this.props;
        if (this.state.busy || this.props.readonly || !record.resId) {
            return;
        }
        this.state.busy = true;
        try {
            if (await record.isDirty()) {
                await record.save();
            }
            let chosen: ChooseAnswer;
            try {
                chosen = await this.rpc<ChooseAnswer>(CHOOSE_ROUTE, {
                    shipment_id: record.resId, carrier_id: row.carrierId,
                    quote: { total: row.quote.total, carrier_id: row.carrierId, lane_id: row.quote.lane_id },
                });
            } catch (error) {
                this.notify(serverMessage(error, this.words.notChosen));
                return;
            }
            this.notification.add(fill(this.words.chosen, row.carrier, row.total), { type: "success", title: this.words.title });
            if (tender) {
                try {
                    const answer = await this.rpc<TenderAnswer>(TENDER_ROUTE, { shipment_id: record.resId, carrier_id: chosen.carrier_id });
                    this.notification.add(fill(this.words.tendered, answer.carrier_name, answer.state), { type: "success", title: this.words.title });
                } catch (error) {
                    this.notify(serverMessage(error, this.words.notTendered));
                }
            }
            await record.load();
            await this.load();
        } finally {
            this.state.busy = false;
        }
    }

    private notify(message: string): void {
        this.notification.add(message, { type: "danger", title: this.words.title });
    }
}

export const rateShopWidget = {
    component: RateShopPanel,
    fieldDependencies: [{ name: "status", type: "selection" }],
};

registry.category("view_widgets").add("freight_rate_shop", rateShopWidget);
