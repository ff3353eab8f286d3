import { Component, onMounted, onWillStart, onWillUnmount, useState } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { registry } from "@web/core/registry";
import { useService, type OrmService } from "@web/core/utils/hooks";
import { standardFieldProps } from "@web/views/fields/standard_field_props";
import { DateTime } from "luxon";
import type { FieldProps, OdooRecord, OdooStaticList } from "../types/odoo-record";
import { needsReload, REFRESH_MS, shownVersion, type TimelineVersion } from "./refresh";
import { buildTimeline, type MilestoneInput, type NoticeInput, type Timeline, type TimeInput } from "./timeline_model";
import { timelineWords, type TimelineWords } from "./words";

// field declarations only (the widget shows words from buildTimeline): lazy _t is fine here
const DECLARED = timelineWords();

function toInput(record: OdooRecord): MilestoneInput {
    const data = record.data as Record<string, TimeInput | string | number>;
    return {
        id: record.resId || String(data.id ?? ""),
        code: String(data.code || ""),
        eventTime: data.event_time as TimeInput,
        receivedAt: data.received_at as TimeInput,
        location: data.location as string,
        stop: data.stop as number,
        rawCode: data.raw_code as string,
        reasonCode: data.reason_code as string,
        source: data.source as string,
        note: data.note as string,
        messageId: data.source_message_ref as number,
    };
}

/** The notifications sent, when the form holds them (dispatchers: Notifications page). */
function notices(record: OdooRecord): NoticeInput[] {
    const list = record.data.notification_ids as OdooStaticList | undefined;
    return (list?.records ?? []).map((notice) => ({
        id: notice.resId || String(notice.data.id ?? ""),
        when: notice.data.create_date as TimeInput,
        text: String(notice.data.summary || ""),
    }));
}

/**
 * Field widget for freight.shipment.milestone_ids: the shipment's story, oldest first.
 * Polls a cheap version of the milestones and reloads the record when carriers report
 * something new, unless the user is editing it.
 */
export class MilestoneTimeline extends Component<FieldProps> {
    static override template = "freight_sync_web.MilestoneTimeline";
    static override props = { ...standardFieldProps };

    private orm!: OrmService;
    private timer = 0;
    private polling = false;
    state!: { canOpenMessages: boolean };
    private words!: TimelineWords;

    override setup(): void {
        this.words = timelineWords();
        this.orm = useService("orm");
        const user = useService("user");
        this.state = useState({ canOpenMessages: false });
        onWillStart(async () => {
            this.state.canOpenMessages = await user.hasGroup("freight_sync.group_freight_manager");
        });
        onMounted(() => {
            this.timer = browser.setInterval(() => void this.refresh(), REFRESH_MS);
        });
        onWillUnmount(() => browser.clearInterval(this.timer));
    }

    async refresh(): Promise<void> {
        const { record, name } = this.props;
        if (!record.resId || this.polling) {
            return;
        }
        this.polling = true;
        try {
            const server = await this.orm.call<TimelineVersion>("freight.shipment", "timeline_version", [[record.resId]]);
            const list = record.data[name] as OdooStaticList;
            if (needsReload(server, shownVersion(list.currentIds)) && !(await record.isDirty())) {
                await record.load();
            }
        } catch {
            // a failed poll (offline, server restart) is simply tried again at the next tick
        } finally {
            this.polling = false;
        }
    }

    get timeline(): Timeline {
        const { record, name } = this.props;
        const list = record.data[name] as OdooStaticList;
        return buildTimeline(list.records.map(toInput), {
            words: this.words,
            now: DateTime.now(),
            plannedPickup: record.data.planned_pickup_date as TimeInput,
            plannedDelivery: record.data.planned_delivery_date as TimeInput,
            status: record.data.status as string,
            carrierEta: record.data.carrier_eta as TimeInput,
            notices: notices(record),
        });
    }
}

export const milestoneTimelineField = {
    component: MilestoneTimeline,
    displayName: "Milestone timeline",
    supportedTypes: ["one2many"],
    relatedFields: [
        { name: "code", type: "selection", selection: Object.entries(DECLARED.milestones) },
        { name: "event_time", type: "datetime" },
        { name: "received_at", type: "datetime" },
        { name: "location", type: "char" },
        { name: "stop", type: "integer" },
        { name: "raw_code", type: "char" },
        { name: "reason_code", type: "char" },
        { name: "source", type: "selection", selection: Object.entries(DECLARED.sources) },
        { name: "note", type: "char" },
        { name: "source_message_ref", type: "integer" },
    ],
};

registry.category("fields").add("freight_milestone_timeline", milestoneTimelineField);
