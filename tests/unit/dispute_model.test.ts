import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import type { Dispute, Suggestion } from "../../freight_sync_web/static/src/ts/workbench/api";
import {
    channelLabel, defaultChannels, disputeBadge, disputeButtons, evidenceFacts, percentText, sentMessage,
    suggestionDoneMessage, toggleChannel,
} from "../../freight_sync_web/static/src/ts/workbench/dispute_model";
import { commandFor, keyAllowed } from "../../freight_sync_web/static/src/ts/workbench/workbench_model";
import { workbenchWords } from "../../freight_sync_web/static/src/ts/workbench/words";

const words = workbenchWords();

function dispute(overrides: Partial<Dispute> = {}): Dispute {
    return {
        case_id: 5, case_name: "Rate variance", state: "draft", reason: "Contract says 0.50/kg",
        amount_disputed: 30, amount_recovered: 0, amount_written_off: 0, sent_at: false, deadline: false, escalated: false,
        contact: { id: 3, name: "Ann Billing", email: "billing@acme.test" }, endpoint: { id: 4, name: "Acme EDI" },
        channels: ["email", "endpoint"], packet: false, settled_by: false,
        ...overrides,
    };
}

describe("dispute state badge", () => {
    it("names each state in a clerk's words, with its colour", () => {
        assert.deepEqual(disputeBadge(words, dispute()), { label: "Draft", tone: "secondary" });
        assert.deepEqual(disputeBadge(words, dispute({ state: "sent" })), { label: "Sent", tone: "info" });
        assert.deepEqual(disputeBadge(words, dispute({ state: "overdue" })), { label: "Overdue", tone: "warning" });
        assert.deepEqual(disputeBadge(words, dispute({ state: "overdue", escalated: true })), { label: "Overdue — escalated", tone: "danger" });
        assert.deepEqual(disputeBadge(words, dispute({ state: "closed" })), { label: "Closed", tone: "success" });
    });
});

describe("dispute buttons", () => {
    const packet = { id: 12, name: "Dispute INV-2.pdf", url: "/web/content/12" };

    it("a draft without packet: preview builds it, send waits for it", () => {
        const b = disputeButtons(words, dispute());
        assert.equal(b.preview.enabled, true);
        assert.equal(b.previewBuilds, true);
        assert.deepEqual(b.send, { enabled: false, title: words.previewFirst });
    });

    it("a draft with a packet can go", () => {
        assert.deepEqual(disputeButtons(words, dispute({ packet })).send, { enabled: true, title: "" });
    });

    it("no channel: send stays off and says why", () => {
        const b = disputeButtons(words, dispute({ packet, channels: [], contact: false, endpoint: false }));
        assert.equal(b.send.enabled, false);
        assert.match(b.send.title, /no billing contact/);
    });

    it("once sent: the packet can be seen again, not rebuilt nor sent twice", () => {
        const b = disputeButtons(words, dispute({ state: "sent", packet }));
        assert.equal(b.preview.enabled, true);
        assert.equal(b.previewBuilds, false);
        assert.equal(b.send.enabled, false);
        assert.equal(disputeButtons(words, dispute({ state: "sent" })).preview.enabled, false, "nothing to show");
    });

    it("nothing works while a call is under way", () => {
        const b = disputeButtons(words, dispute({ packet }), true);
        assert.equal(b.preview.enabled, false);
        assert.equal(b.send.enabled, false);
    });
});

describe("dispute channels", () => {
    it("ticks every available channel, in a stable order", () => {
        assert.deepEqual(defaultChannels(dispute({ channels: ["endpoint", "email"] })), ["email", "endpoint"]);
        assert.deepEqual(defaultChannels(dispute({ channels: ["endpoint"] })), ["endpoint"]);
        assert.deepEqual(defaultChannels(dispute({ channels: [] })), []);
    });

    it("toggles one channel and never adds one the carrier lacks", () => {
        assert.deepEqual(toggleChannel(["email", "endpoint"], "email", ["email", "endpoint"]), ["endpoint"]);
        assert.deepEqual(toggleChannel(["endpoint"], "email", ["email", "endpoint"]), ["email", "endpoint"]);
        assert.deepEqual(toggleChannel([], "endpoint", ["email"]), []);
    });

    it("labels each channel with who receives it", () => {
        assert.equal(channelLabel(words, "email", dispute()), "Email to Ann Billing <billing@acme.test>");
        assert.equal(channelLabel(words, "endpoint", dispute()), "Through the endpoint Acme EDI");
        assert.equal(channelLabel(words, "email", dispute({ contact: false })), "Email to the billing contact");
        assert.equal(channelLabel(words, "endpoint", dispute({ endpoint: false })), "Through the carrier's endpoint");
    });

    it("says whom the packet went to", () => {
        assert.equal(sentMessage(words, dispute(), ["email", "endpoint"]), "Dispute packet sent to Ann Billing.");
        assert.equal(sentMessage(words, dispute(), ["endpoint"]), "Dispute packet sent to Acme EDI.");
        assert.equal(sentMessage(words, dispute({ contact: false, endpoint: false }), []), "Dispute packet sent to the carrier.");
    });
});

describe("suggestion", () => {
    const suggestion: Suggestion = {
        resolution: "short_pay", label: "Short-pay to the expected amount",
        evidence: "7 of the last 9 similar rate variances with this carrier were short-paid to the expected amount; median recovery 94 %.",
        similar: 9, agreeing: 7, median_recovery: 0.94,
    };

    it("sums up the evidence's figures", () => {
        assert.equal(evidenceFacts(words, suggestion), "7 of 9 similar cases ended this way · median recovery 94 %");
        assert.equal(evidenceFacts(words, { ...suggestion, median_recovery: null }), "7 of 9 similar cases ended this way");
        assert.equal(evidenceFacts(words, { ...suggestion, similar: 0, agreeing: 0 }), "");
    });

    it("writes shares as whole percents", () => {
        assert.equal(percentText(0.935), "94 %");
        assert.equal(percentText(1), "100 %");
        assert.equal(percentText(null), "–");
    });

    it("confirms what was applied", () => {
        assert.equal(suggestionDoneMessage(words, "INV-2", suggestion), "INV-2: Short-pay to the expected amount — done.");
    });

    it("s accepts, outside fields and never under the packet preview or the help", () => {
        assert.equal(commandFor("s", false), "accept");
        assert.equal(commandFor("s", true), null);
        assert.equal(keyAllowed("accept", "none"), true);
        assert.equal(keyAllowed("accept", "preview"), false);
        assert.equal(keyAllowed("accept", "help"), false);
        assert.equal(keyAllowed("next", "preview"), false, "j does not move the invoice under the preview");
        assert.equal(keyAllowed("escape", "preview"), true);
        assert.equal(keyAllowed("help", "help"), true);
        assert.ok(words.shortcuts.some(([key]) => key === "s"), "the help lists the key");
    });
});
