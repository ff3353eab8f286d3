import { Component, onMounted, onWillStart, useEffect, useExternalListener, useRef, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService, type ActionService, type NotificationService, type Rpc, type RouterService } from "@web/core/utils/hooks";
import { useSetupAction } from "@web/webclient/actions/action_hook";
import { ROUTES, type BulkAnswer, type Channel, type Dispute, type InvoiceDetail, type QueuePage, type QueueRow, type Ref } from "./api";
import {
    channelLabel, defaultChannels, disputeBadge, disputeButtons, evidenceFacts, sentMessage, suggestionDoneMessage,
    toggleChannel, type Badge, type DisputeButtons,
} from "./dispute_model";
import { disputeWindowMarker, type WindowMarker } from "./dispute_window";
import { serverMessage } from "../server_error";
import { workbenchWords, type Words } from "./words";
import {
    bulkSummary, chunks, commandFor, keyAllowed, type Overlay, doneMessage, fill, formProblem, proposedAmount, shortPayAmount, fromUrl, INVOICE_STATES,
    localDate, localTime, money, varianceToneOf,
    moveSelection, pageInfo, PAGE_SIZE, percent, queueParams, SORTS, urlPatch, varianceLabel,
    varianceTone, type ActionName, type PageInfo, type WorkbenchState,
} from "./workbench_model";

const BULK_CHUNK = 5;

interface ClientActionProps {
    action: { id?: number; name?: string; context?: Record<string, unknown> };
    state?: { workbench?: WorkbenchState };
}

interface DecisionForm {
    action: ActionName | null;
    reason: string;
    reasonCode: string;
    amount: string; // a short-pay's amount to pay, as typed
    problem: string | null;
}

interface PacketPreview {
    open: boolean;
    /** the channels ticked in the preview, sent as they are */
    channels: Channel[];
}

interface Bulk {
    running: boolean;
    done: number;
    total: number;
    summary: string;
    failures: string[];
}

/**
 * The reconciliation workbench: the invoice queue on the left, the selected invoice with its
 * evidence on the right. All rules live in the server routes and in workbench_model.ts; this
 * component only wires them to the screen, the keyboard and the URL.
 */
export class Workbench extends Component<ClientActionProps> {
    static override template = "freight_sync_web.Workbench";
    static override props = ["*"];

    readonly money = money;
    readonly localTime = localTime;
    readonly localDate = localDate;
    readonly varianceToneOf = varianceToneOf;
    readonly varianceTone = varianceTone;
    readonly sorts = SORTS;
    readonly allStates = INVOICE_STATES;

    words!: Words;
    private rpc!: Rpc;
    private notification!: NotificationService;
    private router!: RouterService;
    private actionService!: ActionService;
    private searchInput = useRef<HTMLInputElement>("search");
    private reasonInput = useRef<HTMLTextAreaElement>("reason");
    private queueRequest = 0;
    private detailRequest = 0;

    state!: {
        view: WorkbenchState;
        page: QueuePage;
        detail: InvoiceDetail | null;
        carriers: Ref[];
        selected: Set<number>;
        loadingQueue: boolean;
        loadingDetail: boolean;
        busy: boolean;
        help: boolean;
        form: DecisionForm;
        bulk: Bulk;
        openTraces: Set<number>;
        preview: PacketPreview;
    };

    override setup(): void {
        this.words = workbenchWords();
        this.rpc = useService("rpc");
        this.notification = useService("notification");
        this.router = useService("router");
        this.actionService = useService("action");
        const initial = this.props.state?.workbench ?? fromUrl(this.router.current.hash);
        this.state = useState({
            view: initial,
            page: { total: 0, offset: 0, limit: PAGE_SIZE, rows: [] },
            detail: null,
            carriers: [],
            selected: new Set<number>(),
            loadingQueue: true,
            loadingDetail: false,
            busy: false,
            help: false,
            form: { action: null, reason: "", reasonCode: "", amount: "", problem: null },
            bulk: { running: false, done: 0, total: 0, summary: "", failures: [] },
            openTraces: new Set<number>(),
            preview: { open: false, channels: [] },
        });
        // coming back through the breadcrumb restores the same queue and invoice
        useSetupAction({ getLocalState: () => ({ workbench: this.state.view }) });
        useExternalListener(window, "keydown", (ev: Event) => this.onKeydown(ev as KeyboardEvent));
        onWillStart(async () => {
            const [carriers] = await Promise.all([
                this.call<Ref[]>(ROUTES.carriers, {}),
                this.loadQueue(),
                this.state.view.invoiceId ? this.loadDetail(this.state.view.invoiceId) : Promise.resolve(),
            ]);
            this.state.carriers = carriers ?? [];
        });
        onMounted(() => this.pushUrl());
        // the reason field takes the focus as soon as a decision form opens
        useEffect((action) => {
            if (action) this.reasonInput.el?.focus();
        }, () => [this.state.form.action]);
        // a stale "say why" must not stay on screen once the clerk fixed it
        useEffect(() => {
            if (this.state.form.action && this.state.form.problem) this.state.form.problem = this.formCheck();
        }, () => [this.state.form.reason, this.state.form.reasonCode, this.state.form.amount]);
    }

    // ---- server -------------------------------------------------------------------------

    /** A route call whose failure becomes an Odoo notification, not a crash dialog. */
    private async call<T>(route: string, params: Record<string, unknown>): Promise<T | null> {
        try {
            return await this.rpc<T>(route, params);
        } catch (error) {
            this.notification.add(serverMessage(error, String(error)), { type: "danger", title: this.words.title });
            return null;
        }
    }

    async loadQueue(): Promise<void> {
        const request = ++this.queueRequest;
        this.state.loadingQueue = true;
        const page = await this.call<QueuePage>(ROUTES.queue, queueParams(this.state.view));
        if (request !== this.queueRequest) return; // a newer filter won the race
        this.state.loadingQueue = false;
        if (page) {
            this.state.page = page;
            const visible = new Set(page.rows.map((r) => r.id));
            this.state.selected = new Set([...this.state.selected].filter((id) => visible.has(id)));
        }
    }

    async loadDetail(invoiceId: number): Promise<void> {
        const request = ++this.detailRequest;
        this.state.loadingDetail = true;
        const detail = await this.call<InvoiceDetail>(ROUTES.detail(invoiceId), {});
        if (request !== this.detailRequest) return;
        this.state.loadingDetail = false;
        this.state.detail = detail;
        if (!detail) this.state.view.invoiceId = null;
    }

    private pushUrl(): void {
        this.router.pushState(urlPatch(this.state.view));
    }

    async changeView(patch: Partial<WorkbenchState>, keepOffset = false): Promise<void> {
        Object.assign(this.state.view, patch);
        if (!keepOffset) this.state.view.offset = 0;
        this.pushUrl();
        await this.loadQueue();
    }

    // ---- queue --------------------------------------------------------------------------

    get pager(): PageInfo {
        const page = this.state.page;
        return pageInfo(page.offset, page.rows.length, page.total, Boolean(page.total_capped));
    }

    async select(invoiceId: number | null): Promise<void> {
        this.state.view.invoiceId = invoiceId;
        this.resetForm();
        this.closePreview();
        this.pushUrl();
        if (invoiceId) {
            await this.loadDetail(invoiceId);
        } else {
            this.state.detail = null;
        }
    }

    async move(step: 1 | -1): Promise<void> {
        const ids = this.state.page.rows.map((r) => r.id);
        const next = moveSelection(ids, this.state.view.invoiceId, step);
        if (next !== null && next !== this.state.view.invoiceId) {
            await this.select(next);
            document.querySelector(`[data-invoice-id="${next}"]`)?.scrollIntoView?.({ block: "nearest" });
        }
    }

    async page(step: 1 | -1): Promise<void> {
        const offset = Math.max(0, this.state.view.offset + step * PAGE_SIZE);
        await this.changeView({ offset }, true);
    }

    toggleState(value: string): Promise<void> {
        const states = this.state.view.filters.state;
        const next = states.includes(value) ? states.filter((s) => s !== value) : [...states, value];
        return this.changeView({ filters: { ...this.state.view.filters, state: next } });
    }

    setFilter(key: "carrierId" | "varianceAbove" | "ageDays", raw: string): Promise<void> {
        const value = raw === "" ? null : Number(raw);
        const clean = value === null || Number.isNaN(value) ? null : value;
        return this.changeView({ filters: { ...this.state.view.filters, [key]: clean } });
    }

    toggleMine(): Promise<void> {
        return this.changeView({ filters: { ...this.state.view.filters, mine: !this.state.view.filters.mine } });
    }

    onSearch(ev: Event): Promise<void> {
        const search = (ev.target as HTMLInputElement).value;
        return this.changeView({ filters: { ...this.state.view.filters, search } });
    }

    toggleSelected(row: QueueRow): void {
        const selected = new Set(this.state.selected);
        if (selected.has(row.id)) selected.delete(row.id);
        else selected.add(row.id);
        this.state.selected = selected;
    }

    get selectableRows(): QueueRow[] {
        return this.state.page.rows.filter((r) => r.within_tolerance);
    }

    toggleAll(): void {
        const rows = this.selectableRows;
        const all = rows.length > 0 && rows.every((r) => this.state.selected.has(r.id));
        this.state.selected = all ? new Set() : new Set(rows.map((r) => r.id));
    }

    // ---- decisions ----------------------------------------------------------------------

    resetForm(): void {
        Object.assign(this.state.form, { action: null, reason: "", reasonCode: "", amount: "", problem: null });
    }

    /** Approve and audit again go at once; every other decision opens the reason form first. */
    async start(action: ActionName): Promise<void> {
        const detail = this.state.detail;
        if (!detail || !detail.actions.includes(action)) return;
        if (action === "approve" || action === "reaudit") {
            await this.decide(action);
            return;
        }
        const amount = action === "short_pay" ? proposedAmount(detail.expected_total) : "";
        Object.assign(this.state.form, { action, reason: "", reasonCode: "", amount, problem: null });
    }

    formCheck(): string | null {
        const { action, reason, reasonCode, amount } = this.state.form;
        if (!action) return null;
        return formProblem(this.words, action, reason, reasonCode, amount, this.state.detail?.amount_total ?? 0);
    }

    async submitForm(): Promise<void> {
        const { action, reason, reasonCode, amount } = this.state.form;
        if (!action) return;
        this.state.form.problem = this.formCheck();
        if (!this.state.form.problem) await this.decide(action, reason, reasonCode, amount);
    }

    async decide(action: ActionName, reason = "", reasonCode = "", amount = ""): Promise<void> {
        const detail = this.state.detail;
        if (!detail || this.state.busy) return;
        this.state.busy = true;
        const params: Record<string, unknown> = { action, reason };
        if (reasonCode) params.reason_code = reasonCode;
        if (action === "short_pay") params.amount = shortPayAmount(amount, detail.amount_total);
        const updated = await this.call<InvoiceDetail>(ROUTES.act(detail.id), params);
        this.state.busy = false;
        if (!updated) return;
        this.state.detail = updated;
        this.resetForm();
        this.notification.add(doneMessage(this.words, updated.name, action), { type: "success" });
        await this.loadQueue();
    }

    async bulkApprove(): Promise<void> {
        const ids = this.state.page.rows.filter((r) => this.state.selected.has(r.id) && r.within_tolerance).map((r) => r.id);
        if (!ids.length || this.state.bulk.running) return;
        const bulk = this.state.bulk;
        Object.assign(bulk, { running: true, done: 0, total: ids.length, summary: "", failures: [] });
        const results: BulkAnswer["results"] = [];
        for (const chunk of chunks(ids, BULK_CHUNK)) {
            const answer = await this.call<BulkAnswer>(ROUTES.bulkApprove, { ids: chunk });
            const chunkResults = answer?.results ?? chunk.map((id) => ({ id, ok: false, message: fill(this.words.notSent, id) }));
            results.push(...chunkResults);
            bulk.done += chunk.length;
        }
        bulk.running = false;
        bulk.summary = bulkSummary(this.words, results);
        bulk.failures = results.filter((r) => !r.ok).map((r) => r.message);
        this.state.selected = new Set();
        this.notification.add(fill(this.words.bulkDone, bulk.summary), { type: bulk.failures.length ? "warning" : "success" });
        await this.loadQueue();
        if (this.state.view.invoiceId) await this.loadDetail(this.state.view.invoiceId);
    }

    varianceText(variance: number, currency: string): string {
        return varianceLabel(this.words, variance, currency);
    }

    get bulkPercent(): number {
        return percent(this.state.bulk.done, this.state.bulk.total);
    }

    toggleTrace(lineId: number): void {
        const open = new Set(this.state.openTraces);
        if (open.has(lineId)) open.delete(lineId);
        else open.add(lineId);
        this.state.openTraces = open;
    }

    openRecord(model: string, id: number): Promise<void> {
        return this.actionService.doAction({ type: "ir.actions.act_window", res_model: model, res_id: id, views: [[false, "form"]] });
    }

    // ---- dispute with the carrier, suggestion -----------------------------------------------

    disputeBadge(dispute: Dispute): Badge {
        return disputeBadge(this.words, dispute);
    }

    disputeButtons(dispute: Dispute): DisputeButtons {
        return disputeButtons(this.words, dispute, this.state.busy);
    }

    channelLabel(channel: Channel, dispute: Dispute): string {
        return channelLabel(this.words, channel, dispute);
    }

    get windowMarker(): WindowMarker | null {
        return disputeWindowMarker(this.words, this.state.detail?.dispute_window);
    }

    get evidenceFacts(): string {
        const suggestion = this.state.detail?.suggestion;
        return suggestion ? evidenceFacts(this.words, suggestion) : "";
    }

    /** A route that answers the refreshed invoice; the screen shows it, the queue follows. */
    private async refreshWith(route: string, params: Record<string, unknown>): Promise<InvoiceDetail | null> {
        if (this.state.busy) return null;
        this.state.busy = true;
        const updated = await this.call<InvoiceDetail>(route, params);
        this.state.busy = false;
        if (updated && updated.id === this.state.view.invoiceId) this.state.detail = updated;
        return updated;
    }

    /** Builds the packet while it is unsent (what the carrier will get), then shows it. */
    async previewPacket(): Promise<void> {
        const detail = this.state.detail;
        const dispute = detail?.dispute;
        if (!detail || !dispute || !this.disputeButtons(dispute).preview.enabled) return;
        let shown: Dispute | null = dispute;
        if (dispute.state === "draft") {
            const updated = await this.refreshWith(ROUTES.disputePacket(detail.id), {});
            shown = updated?.dispute ?? null;
        }
        if (!shown?.packet) return;
        this.state.preview.open = true;
        this.state.preview.channels = defaultChannels(shown);
    }

    closePreview(): void {
        this.state.preview.open = false;
    }

    togglePreviewChannel(channel: Channel): void {
        const available = this.state.detail?.dispute?.channels ?? [];
        this.state.preview.channels = toggleChannel(this.state.preview.channels, channel, available);
    }

    /** Sends the packet through the channels ticked in the preview, or, from the panel,
     * through every channel the carrier has. */
    async sendPacket(channels?: Channel[]): Promise<void> {
        const detail = this.state.detail;
        const dispute = detail?.dispute;
        if (!detail || !dispute || !this.disputeButtons(dispute).send.enabled) return;
        const chosen = [...(channels ?? defaultChannels(dispute))];
        if (!chosen.length) return;
        const updated = await this.refreshWith(ROUTES.disputeSend(detail.id), { channels: chosen });
        if (!updated) return;
        this.closePreview();
        this.notification.add(sentMessage(this.words, updated.dispute || dispute, chosen), { type: "success" });
        await this.loadQueue();
    }

    async acceptSuggestion(): Promise<void> {
        const detail = this.state.detail;
        const suggestion = detail?.suggestion;
        if (!detail || !suggestion) return;
        const updated = await this.refreshWith(ROUTES.acceptSuggestion(detail.id), {});
        if (!updated) return;
        this.resetForm();
        this.notification.add(suggestionDoneMessage(this.words, updated.name, suggestion), { type: "success" });
        await this.loadQueue();
    }

    // ---- keyboard -----------------------------------------------------------------------

    /** What covers the invoice now: keys meant for the invoice do not go through it. */
    get overlay(): Overlay {
        if (this.state.preview.open) return "preview";
        return this.state.help ? "help" : "none";
    }

    onKeydown(ev: KeyboardEvent): void {
        const target = ev.target as HTMLElement | null;
        const inField = !!target && (["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName) || target.isContentEditable);
        const command = commandFor(ev.key, inField, ev.ctrlKey || ev.metaKey || ev.altKey);
        if (!command || (inField && document.querySelector(".modal") && command !== "escape")) return;
        if (!keyAllowed(command, this.overlay)) return;
        // also for Escape in a field: Chromium's default clears an <input type="search">
        if (command !== "escape" || inField) ev.preventDefault();
        switch (command) {
            case "next": void this.move(1); break;
            case "previous": void this.move(-1); break;
            case "approve": void this.start("approve"); break;
            case "dispute": void this.start("dispute"); break;
            case "accept": if (!this.state.form.action) void this.acceptSuggestion(); break;
            case "search": this.searchInput.el?.focus(); break;
            case "help": this.state.help = !this.state.help; break;
            case "escape":
                if (this.state.preview.open) this.closePreview();
                else if (this.state.help) this.state.help = false;
                else if (this.state.form.action) this.resetForm();
                else if (inField) target?.blur();
                break;
        }
    }
}

registry.category("actions").add("freight_sync_web.workbench", Workbench);
