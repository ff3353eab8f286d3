// The integration's health on the freight dashboard (README "Monitoring"), free of OWL so
// Node can test it: the route's `health` (Freight Managers only) turned into what the
// panel shows. The server decides healthy or degraded; this only words it.
import { fill } from "../fill";
import { formatSeconds, type Drill } from "./dashboard_model";
import type { DashboardWords } from "./words";

export type HealthReason = "database" | "queue_age" | "dead_letters" | "latency";

export interface HealthCheck {
    status: "ok" | "degraded";
    value?: number | null;
    limit?: number;
}

export interface HealthData {
    status: "ok" | "degraded";
    reasons: HealthReason[];
    checks: Partial<Record<HealthReason, HealthCheck>>;
    lanes: { lane: string; depth: number; oldest_due_seconds: number | null }[];
    alerts: { id: number; reason: HealthReason; name: string; opened_at: string }[];
    drill: Drill;
}

export interface HealthPanel {
    tone: "success" | "danger";
    status: string;
    reasons: string[];
    lanes: { lane: string; depth: number; age: string }[];
    deadLetters: string;
    latency: string;
    alerts: { id: number; name: string; since: string }[];
    drill: Drill;
}

export function reasonText(words: DashboardWords, reason: HealthReason): string {
    const texts: Record<HealthReason, string> = {
        database: words.healthDatabase,
        queue_age: words.healthQueueAge,
        dead_letters: words.healthDeadLetters,
        latency: words.healthLatency,
    };
    return texts[reason] ?? reason;
}

function reading(words: DashboardWords, check: HealthCheck | undefined, format: (value: number) => string): string {
    if (!check || check.value === undefined || check.limit === undefined) {
        return "–";
    }
    const value = check.value === null ? "–" : format(check.value);
    return fill(words.healthOfLimit, value, format(check.limit));
}

/** The panel, or null when the user may not see the integration (no `health`). */
export function healthPanel(words: DashboardWords, health: HealthData | null | undefined): HealthPanel | null {
    if (!health) {
        return null;
    }
    const ok = health.status === "ok";
    return {
        tone: ok ? "success" : "danger",
        status: ok ? words.healthOk : words.healthDegraded,
        reasons: health.reasons.map((reason) => reasonText(words, reason)),
        lanes: health.lanes.map((lane) => ({
            lane: lane.lane, depth: lane.depth, age: formatSeconds(lane.oldest_due_seconds),
        })),
        deadLetters: reading(words, health.checks.dead_letters, String),
        latency: reading(words, health.checks.latency, formatSeconds),
        alerts: health.alerts.map((alert) => ({
            id: alert.id, name: alert.name, since: alert.opened_at.slice(0, 16) + " UTC",
        })),
        drill: health.drill,
    };
}
