import { _t } from "../i18n";

/** The timeline's phrases, in the user's language; `%s` is filled by fill(). Milestone
 * names mirror freight_sync/services/milestones.py. */
export function timelineWords() {
    return {
        milestones: {
            tendered: _t("Tendered"), rejected: _t("Tender rejected"), accepted: _t("Tender accepted"),
            pickup_arrived: _t("Arrived at pickup"), picked_up: _t("Picked up"), in_transit: _t("In transit"),
            at_terminal: _t("At terminal"), out_for_delivery: _t("Out for delivery"), delivered: _t("Delivered"),
            pod_received: _t("Proof of delivery received"), exception: _t("Exception"), cancelled: _t("Cancelled"),
            stop_delivered: _t("Delivered at a stop"),
        } as Record<string, string>,
        sources: {
            manual: _t("entered by hand"), tms: _t("TMS"), carrier: _t("carrier API"), edi: _t("EDI 214"), api: _t("API"),
        } as Record<string, string>,
        notified: _t("Customer notified"),
        carrierCode: _t("carrier code %s"),
        atStop: _t("%s (stop %s)"),
        via: _t("via %s"),
        received: _t("received %s"),
        pickup: _t("Pickup"),
        delivery: _t("Delivery"),
        deliveredLate: _t("Delivered %s late"),
        notDelivered: _t("Not delivered, %s past the planned delivery"),
        days: _t("%s days"),
        hours: _t("%s h"),
    };
}

export type TimelineWords = ReturnType<typeof timelineWords>;
