/** The dispute panel's and the suggestion box's view logic: pure, tested in Node. Phrases
 * come in as `words` (words.ts, translated). */
import { fill } from "../fill";
import type { Channel, Dispute, Suggestion } from "./api";
import type { Words } from "./words";

export type Tone = "secondary" | "info" | "danger" | "success" | "warning";

export interface Badge {
    label: string;
    tone: Tone;
}

/** The state badge: a draft is disputed but not yet sent; an overdue one says whether a
 * manager was already told. */
export function disputeBadge(words: Words, dispute: Pick<Dispute, "state" | "escalated">): Badge {
    switch (dispute.state) {
        case "draft": return { label: words.disputeStates.draft as string, tone: "secondary" };
        case "sent": return { label: words.disputeStates.sent as string, tone: "info" };
        case "overdue": return dispute.escalated
            ? { label: words.overdueEscalated, tone: "danger" }
            : { label: words.disputeStates.overdue as string, tone: "warning" };
        case "closed": return { label: words.disputeStates.closed as string, tone: "success" };
        default: return { label: String(dispute.state), tone: "secondary" };
    }
}

export interface ButtonState {
    enabled: boolean;
    /** why it is disabled, as a tooltip; "" when enabled */
    title: string;
}

export interface DisputeButtons {
    preview: ButtonState;
    send: ButtonState;
    /** preview asks the server to build the packet first (only while unsent) */
    previewBuilds: boolean;
}

/** Which of the panel's buttons work. Send needs a packet and a channel, and only a draft
 * is sent; preview builds the packet while unsent and shows the one sent afterwards. */
export function disputeButtons(words: Words, dispute: Dispute, busy = false): DisputeButtons {
    const draft = dispute.state === "draft";
    const preview = { enabled: !busy && (draft || !!dispute.packet), title: "" };
    let sendProblem = "";
    if (!draft) sendProblem = words.alreadySent;
    else if (!dispute.channels.length) sendProblem = words.noChannel;
    else if (!dispute.packet) sendProblem = words.previewFirst;
    return {
        preview,
        send: { enabled: !busy && !sendProblem, title: sendProblem },
        previewBuilds: draft,
    };
}

const CHANNEL_ORDER: Channel[] = ["email", "endpoint"];

/** Every available channel is ticked when the preview opens. */
export function defaultChannels(dispute: Pick<Dispute, "channels">): Channel[] {
    return CHANNEL_ORDER.filter((c) => dispute.channels.includes(c));
}

/** Ticking or unticking one channel; the result keeps a stable order for the route. */
export function toggleChannel(chosen: readonly Channel[], channel: Channel, available: readonly Channel[]): Channel[] {
    const next = new Set(chosen);
    if (next.has(channel)) next.delete(channel);
    else next.add(channel);
    return CHANNEL_ORDER.filter((c) => next.has(c) && available.includes(c));
}

export function channelLabel(words: Words, channel: Channel, dispute: Pick<Dispute, "contact" | "endpoint">): string {
    if (channel === "email") {
        const contact = dispute.contact;
        if (!contact) return words.channelEmailNoAddress;
        return fill(words.channelEmail, contact.email ? `${contact.name} <${contact.email}>` : contact.name);
    }
    return dispute.endpoint ? fill(words.channelEndpoint, dispute.endpoint.name) : words.channelEndpointNoName;
}

/** The notification after sending: who received it, as the clerk knows them. */
export function sentMessage(words: Words, dispute: Pick<Dispute, "contact" | "endpoint">, channels: readonly Channel[]): string {
    const to = channels.includes("email") && dispute.contact ? dispute.contact.name
        : channels.includes("endpoint") && dispute.endpoint ? dispute.endpoint.name
        : dispute.contact ? dispute.contact.name : words.theCarrier;
    return fill(words.packetSent, to);
}

/** A share 0..1 as a whole percent ("94 %"), or "–" when unknown. */
export function percentText(share: number | null | undefined): string {
    return share === null || share === undefined || !Number.isFinite(share) ? "–" : `${Math.round(share * 100)} %`;
}

/** The figures under the suggestion's evidence: how many similar cases, how many agreed,
 * what was recovered. Empty when there were none. */
export function evidenceFacts(words: Words, suggestion: Suggestion): string {
    if (!suggestion.similar) return "";
    const parts = [fill(words.similarAgreeing, suggestion.agreeing, suggestion.similar)];
    if (suggestion.median_recovery !== null && suggestion.median_recovery !== undefined) {
        parts.push(fill(words.medianRecovery, percentText(suggestion.median_recovery)));
    }
    return parts.join(" · ");
}

export function suggestionDoneMessage(words: Words, invoice: string, suggestion: Pick<Suggestion, "label">): string {
    return fill(words.suggestionDone, invoice, suggestion.label);
}
