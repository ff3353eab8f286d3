import { _t } from "../i18n";

/** The dashboard's own phrases, in the user's language; `%s` is filled by fill(). Series
 * labels and drill-down names come translated from the server. */
export function dashboardWords() {
    return {
        autoApprovalRate: _t("Auto-approval rate"),
        auditedOf: _t("%s of %s audited invoices"),
        deadLetters: _t("Dead letters"),
        waitingReplay: _t("waiting for a replay"),
        latencyP50: _t("Ingestion p50"),
        latencyP95: _t("Ingestion p95"),
        messagesProcessed: _t("%s messages processed"),
        openAccruals: _t("Open accruals"),
        shipments: _t("%s shipments"),
        recovered: _t("Recovered by disputes"),
        billedMinusPaid: _t("billed minus paid"),
        moneyLost: _t("Money lost to dispute windows"),
        casesPastWindow: _t("%s open cases past their window, no dispute sent"),
        chartAutoApproval: _t("Auto-approval rate by week"),
        chartCarriers: _t("Exception rate and invoice accuracy by carrier"),
        chartRecovered: _t("Variance recovered by disputes"),
        chartLatency: _t("Ingestion latency (seconds)"),
        chartAccruals: _t("Open accruals by age"),
        notLoaded: _t("The dashboard could not be loaded."),
        title: _t("Freight dashboard"),
        chartDisputes: _t("Disputed, recovered and written off by month"),
        ofCount: _t("%s of %s"),
        healthTitle: _t("Integration health"),
        healthOk: _t("Healthy"),
        healthDegraded: _t("Degraded"),
        healthDatabase: _t("Database unreachable"),
        healthQueueAge: _t("Queue waiting too long"),
        healthDeadLetters: _t("Dead letters over the limit"),
        healthLatency: _t("Processing latency (p95) over the limit"),
        healthOfLimit: _t("%s (limit %s)"),
    };
}

export type DashboardWords = ReturnType<typeof dashboardWords>;
