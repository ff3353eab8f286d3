// Clerk-readable names of the canonical milestone codes (mirrors freight_sync/services/milestones.py).
export const MILESTONE_LABELS: Readonly<Record<string, string>> = {
    tendered: "Tendered",
    rejected: "Tender rejected",
    accepted: "Tender accepted",
    pickup_arrived: "Arrived at pickup",
    picked_up: "Picked up",
    in_transit: "In transit",
    at_terminal: "At terminal",
    out_for_delivery: "Out for delivery",
    delivered: "Delivered",
    pod_received: "Proof of delivery received",
    exception: "Exception",
    cancelled: "Cancelled",
};

export const SOURCE_LABELS: Readonly<Record<string, string>> = {
    manual: "entered by hand",
    tms: "TMS",
    carrier: "carrier API",
    edi: "EDI 214",
    api: "API",
};

/** Codes that report a problem rather than progress. */
export const EXCEPTION_CODES: ReadonlySet<string> = new Set(["exception", "rejected", "cancelled"]);
