/** Shapes of freight_sync's workbench routes (freight_sync/controllers/workbench.py). */
import type { ActionName } from "./workbench_model";

export const ROUTES = {
    queue: "/freight_sync/ui/v1/invoices/queue",
    detail: (id: number) => `/freight_sync/ui/v1/invoices/${id}`,
    act: (id: number) => `/freight_sync/ui/v1/invoices/${id}/act`,
    bulkApprove: "/freight_sync/ui/v1/invoices/bulk_approve",
    carriers: "/freight_sync/ui/v1/carriers",
    disputePacket: (id: number) => `/freight_sync/ui/v1/invoices/${id}/dispute/packet`,
    disputeSend: (id: number) => `/freight_sync/ui/v1/invoices/${id}/dispute/send`,
    acceptSuggestion: (id: number) => `/freight_sync/ui/v1/invoices/${id}/suggestion/accept`,
};

export type Ref = [number, string];

export interface QueueRow {
    id: number;
    name: string;
    carrier: Ref;
    date: string;
    currency: string;
    amount_total: number;
    expected_total: number;
    variance_total: number;
    state: string;
    age_days: number;
    open_cases: number;
    within_tolerance: boolean;
}

export interface QueuePage {
    total: number;
    /** more than ``total`` match: the server stopped counting there */
    total_capped?: boolean;
    offset: number;
    limit: number;
    rows: QueueRow[];
}

export interface DetailLine {
    id: number;
    line_no: number;
    charge_code: string;
    description: string | false;
    shipment: Ref | null;
    billed: number;
    expected: number | null;
    variance: number | null;
    allowance: number | null;
    tolerance_layer: string | false;
    decision: string | false;
    trace: string[];
    explanation: string;
}

export interface InvoiceDetail {
    id: number;
    name: string;
    carrier: Ref;
    date: string;
    currency: string;
    state: string;
    state_label: string;
    amount_total: number;
    expected_total: number;
    variance_total: number;
    audit_summary: string | false;
    dispute_reason: string | false;
    bill: Ref | null;
    lines: DetailLine[];
    cases: { id: number; name: string; exception_type: string; amount_at_stake: number; stage: string; closed: boolean; user: Ref | null }[];
    shipments: {
        id: number; name: string; status: string | false; pod: boolean;
        milestones: { code: string; label: string; event_time: string; location: string | false }[];
    }[];
    contract: {
        id: number; name: string; currency: string; fuel: string;
        /** terms: an LTL lane's tariff, discount, FAK and deficit rule, in words */
        lanes: { lane: string; basis: string; rate: number; minimum: number; terms?: string }[];
        accessorials: { code: string; name: string; basis: string; amount: number; maximum: number; needs_approval: boolean }[];
    } | null;
    can_override_any: boolean;
    override_threshold: number;
    actions: ActionName[];
    dispute_reasons: [string, string][];
    /** the carrier dispute of this invoice, null when it was never disputed */
    dispute: Dispute | null;
    /** what similar variances with this carrier ended in, null when there is nothing to go by */
    suggestion: Suggestion | null;
    /** the last day a dispute can reach the carrier; null: no window; missing from an older server */
    dispute_window?: DisputeWindow | null;
}

export type WindowUrgency = "ok" | "urgent" | "lapsed" | "sent" | "none";

export interface DisputeWindow {
    case_id: number;
    dispute_by: string; // "YYYY-MM-DD"
    urgency: WindowUrgency;
    /** 0 on the last day itself, negative once lapsed */
    days_left: number;
}

export type DisputeState = "draft" | "sent" | "overdue" | "closed";
export type Channel = "email" | "endpoint";

export interface Dispute {
    case_id: number;
    case_name: string;
    state: DisputeState;
    reason: string | false;
    amount_disputed: number;
    amount_recovered: number;
    amount_written_off: number;
    sent_at: string | false; // UTC "YYYY-MM-DD HH:MM:SS"
    deadline: string | false;
    escalated: boolean;
    contact: { id: number; name: string; email: string | false } | false;
    endpoint: { id: number; name: string } | false;
    channels: Channel[];
    packet: { id: number; name: string; url: string } | false;
    settled_by: { id: number; name: string } | false; // a freight.invoice (rebill or credit)
}

export type Resolution = "override" | "short_pay" | "rebill" | "reject";

export interface Suggestion {
    resolution: Resolution;
    label: string;
    evidence: string;
    similar: number;
    agreeing: number;
    median_recovery: number | null; // 0..1
}

export interface BulkAnswer {
    results: { id: number; ok: boolean; message: string }[];
    approved: number;
    skipped: number;
}
