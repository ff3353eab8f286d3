/** @odoo-module **/
// QUnit tests of the reconciliation workbench client action, in a real Odoo web client whose
// server answers come from mockRPC: rendering, decisions, keyboard, URL state, error paths.

import { click, editInput, editSelect, getFixture, nextTick, triggerHotkey } from "@web/../tests/helpers/utils";
import { createWebClient, doAction } from "@web/../tests/webclient/helpers";

const ROUTE = "/freight_sync/ui/v1";

function row(id, name, state, variance, within) {
    return {
        id, name, carrier: [7, "Acme Freight"], date: "2024-07-12", currency: "USD", amount_total: 600 + variance,
        expected_total: 600, variance_total: variance, state, age_days: 12, open_cases: within ? 0 : 1,
        within_tolerance: within,
    };
}

function detail(id, overrides = {}) {
    const r = ROWS.find((x) => x.id === id);
    return {
        id, name: r.name, carrier: r.carrier, date: r.date, currency: "USD", state: r.state,
        state_label: r.state, amount_total: r.amount_total, expected_total: 600, variance_total: r.variance_total,
        audit_summary: "Billed 630.00 against 600.00 expected on 2 lines; 1 finding.", dispute_reason: false, bill: null,
        lines: [{
            id: id * 10, line_no: 1, charge_code: "400", description: "Linehaul", shipment: [3, "SHP/0003"],
            billed: 530, expected: 500, variance: 30, allowance: 10, tolerance_layer: "carrier", decision: "over",
            trace: ["Contract: 1", "Linehaul: 1,000 kg × 0.50 → expected 500.00"],
            explanation: "Billed 530.00 USD against 500.00 expected: 30.00 over → over the tolerance.",
        }],
        cases: [{ id: 5, name: "Rate variance", exception_type: "Rate variance", amount_at_stake: 30, stage: "New", closed: false, user: null }],
        shipments: [{ id: 3, name: "SHP/0003", status: "Delivered", pod: true, milestones: [
            { code: "delivered", label: "Delivered", event_time: "2024-07-11 15:00:00", location: "Chicago" },
            { code: "picked_up", label: "Picked up", event_time: "2024-07-09 08:00:00", location: "Nashville" },
        ] }],
        contract: { id: 1, name: "Acme LTL 2024", currency: "USD", fuel: "20.0 % of the linehaul",
            lanes: [{ lane: "US → US (LTL)", basis: "Per kg", rate: 0.5, minimum: 150 }],
            accessorials: [{ code: "LFT", name: "Lift gate", basis: "Flat", amount: 85, maximum: 0, needs_approval: false }] },
        can_override_any: false, override_threshold: 20,
        actions: r.within_tolerance ? ["approve", "dispute", "reject"] : ["short_pay", "reject", "dispute"],
        dispute_reasons: [["rate", "Rate not as contracted"], ["other", "Other"]],
        dispute: null,
        suggestion: null,
        ...overrides,
    };
}

let ROWS;
let target;
let calls;

function server(extra = () => undefined) {
    return async (route, args) => {
        const answer = await extra(route, args);
        if (answer !== undefined) return answer;
        if (!route.startsWith(ROUTE)) return undefined;
        calls.push([route, args]);
        if (route === `${ROUTE}/carriers`) return [[7, "Acme Freight"]];
        if (route === `${ROUTE}/invoices/queue`) return { total: ROWS.length, offset: 0, limit: 40, rows: ROWS };
        if (route === `${ROUTE}/invoices/bulk_approve`) {
            return { results: args.ids.map((id) => ({ id, ok: true, message: `${id} approved` })), approved: args.ids.length, skipped: 0 };
        }
        const act = route.match(/invoices\/(\d+)\/act$/);
        if (act) return detail(Number(act[1]), { state: "approved", state_label: "Approved", actions: [] });
        const one = route.match(/invoices\/(\d+)$/);
        if (one) return detail(Number(one[1]));
    };
}

async function open(mockRPC, invoiceId = null) {
    const webClient = await createWebClient({ mockRPC });
    const workbench = { filters: { state: ["exception", "audited"], carrierId: null, varianceAbove: null, ageDays: null, mine: false, search: "" },
        sort: "date desc", offset: 0, invoiceId };
    await doAction(webClient, "freight_sync_web.workbench", { props: { state: { workbench } } });
    await nextTick();
    return webClient;
}

const routes = () => calls.map(([route]) => route.replace(ROUTE, ""));
const selectedName = () => target.querySelector(".o_freight_invoice h3")?.textContent;

QUnit.module("freight_sync_web", (hooks) => {
    hooks.beforeEach(() => {
        target = getFixture();
        calls = [];
        ROWS = [row(1, "INV-1", "audited", 0, true), row(2, "INV-2", "exception", 30, false), row(3, "INV-3", "audited", 0, true)];
    });

    QUnit.module("Workbench");

    QUnit.test("shows the queue and the invoice of the saved state with every line explained", async (assert) => {
        await open(server(), 2);
        assert.containsN(target, ".o_freight_row", 3);
        assert.strictEqual(target.querySelector(".o_freight_pager").textContent.trim(), "1–3 of 3");
        assert.strictEqual(selectedName(), "Acme Freight · INV-2");
        assert.hasClass(target.querySelector('.o_freight_row[data-invoice-id="2"]'), "o_selected");
        assert.strictEqual(target.querySelector(".o_freight_variance").textContent, "over by 30.00 USD");
        assert.ok(/30\.00 over → over the tolerance/.test(target.querySelector(".o_freight_explanation").textContent));
        assert.containsN(target, ".o_freight_milestones li", 2);
        assert.deepEqual([...target.querySelectorAll(".o_freight_tariff tr")].map((tr) => tr.textContent.replace(/\s+/g, " ").trim()),
            ["US → US (LTL)Per kg0.50 USDmin. 150.00", "LFT Lift gateFlat85.00 USD"]);
        assert.strictEqual(target.querySelector(".o_freight_pod").textContent, "POD received");
        assert.ok(/Freight Manager above 20\.00 USD/.test(target.querySelector(".o_freight_override_hint").textContent));
        assert.containsNone(target, '[data-action="override"]');
        await click(target, ".o_freight_explanation a");
        assert.containsN(target, ".o_freight_trace li", 2, "the rule trace opens on demand");
    });

    QUnit.test("j and k move through the queue, a approves the selected invoice", async (assert) => {
        await open(server());
        await triggerHotkey("j");
        await nextTick();
        assert.strictEqual(selectedName(), "Acme Freight · INV-1");
        await triggerHotkey("j");
        await triggerHotkey("j");
        await triggerHotkey("k");
        await nextTick();
        assert.strictEqual(selectedName(), "Acme Freight · INV-2");
        await triggerHotkey("k");
        await nextTick();
        await triggerHotkey("a");
        await nextTick();
        const act = calls.find(([route]) => route.endsWith("/1/act"));
        assert.deepEqual(act[1], { action: "approve", reason: "" });
        assert.strictEqual(target.querySelector(".o_freight_invoice .badge").textContent, "Approved");
        assert.ok(/INV-1 approved\./.test(target.querySelector(".o_notification").textContent));
    });

    QUnit.test("a dispute needs its reason code and a reason before it is sent", async (assert) => {
        await open(server(), 2);
        await triggerHotkey("d");
        await nextTick();
        assert.containsOnce(target, ".o_freight_decision");
        assert.strictEqual(document.activeElement, target.querySelector(".o_freight_reason"));
        await click(target, ".o_freight_confirm");
        assert.strictEqual(target.querySelector(".o_freight_problem").textContent, "Choose why you dispute it.");
        assert.notOk(routes().some((r) => r.endsWith("/act")), "nothing sent yet");
        await editSelect(target, ".o_freight_reason_code", "rate");
        await editInput(target, ".o_freight_reason", "Contract says 0.50/kg");
        await click(target, ".o_freight_confirm");
        const act = calls.find(([route]) => route.endsWith("/2/act"));
        assert.deepEqual(act[1], { action: "dispute", reason: "Contract says 0.50/kg", reason_code: "rate" });
    });

    QUnit.test("keys typed in the search field are text, Escape leaves it; ? shows the shortcuts", async (assert) => {
        await open(server());
        await triggerHotkey("/");
        await nextTick();
        const search = target.querySelector(".o_freight_search");
        assert.strictEqual(document.activeElement, search);
        await triggerHotkey("j");
        assert.containsNone(target, ".o_freight_invoice", "j in the field does not move");
        await editInput(target, ".o_freight_search", "PRO100");
        const queue = calls.filter(([route]) => route.endsWith("/queue")).pop();
        assert.deepEqual(queue[1].filters.search, "PRO100");
        await triggerHotkey("Escape");
        assert.notStrictEqual(document.activeElement, search);
        await triggerHotkey("?");
        await nextTick();
        assert.containsOnce(target, ".o_freight_help");
        assert.containsN(target, ".o_freight_help dt", 7);
        assert.ok([...target.querySelectorAll(".o_freight_help dt")].some((dt) => dt.textContent === "s"), "s is listed");
        await triggerHotkey("Escape");
        await nextTick();
        assert.containsNone(target, ".o_freight_help");
    });

    QUnit.test("filters go to the server and into the URL", async (assert) => {
        const webClient = await open(server());
        await click(target, '.o_freight_states [data-state="exception"]');
        await editInput(target, ".o_freight_over", "25");
        await editSelect(target, ".o_freight_sort", "variance desc");
        await nextTick();
        const params = calls.filter(([route]) => route.endsWith("/queue")).pop()[1];
        assert.deepEqual(params.filters, { state: ["audited"], variance_above: 25 });
        assert.strictEqual(params.sort, "variance desc");
        const hash = webClient.env.services.router.current.hash;
        assert.strictEqual(String(hash.states), "audited");
        assert.strictEqual(String(hash.over), "25");
        assert.strictEqual(hash.sort, "variance desc");
    });

    QUnit.test("bulk approval sends the selected in chunks and sums up", async (assert) => {
        ROWS = Array.from({ length: 7 }, (_, i) => row(i + 1, `INV-${i + 1}`, "audited", 0, true));
        await open(server());
        await click(target, "thead input[type=checkbox]");
        assert.strictEqual(target.querySelector(".o_freight_bulk_approve").textContent.trim(), "Approve selected (7)");
        await click(target, ".o_freight_bulk_approve");
        await nextTick();
        const bulk = calls.filter(([route]) => route.endsWith("/bulk_approve"));
        assert.deepEqual(bulk.map(([, args]) => args.ids), [[1, 2, 3, 4, 5], [6, 7]]);
        assert.strictEqual(target.querySelector(".o_freight_bulk_summary").textContent, "Bulk approval: 7 approved");
    });

    QUnit.test("a refused decision is an Odoo notification and leaves the invoice as it was", async (assert) => {
        await open(server((route) => {
            if (route.endsWith("/act")) {
                const error = new Error("A variance of 30.00 is above the override threshold of 20.00: only a Freight Manager may approve it.");
                error.data = { message: error.message };
                return Promise.reject(error);
            }
        }), 2);
        await click(target, '[data-action="short_pay"]');
        await editInput(target, ".o_freight_reason", "paying the contract rate");
        await click(target, ".o_freight_confirm");
        await nextTick();
        assert.ok(/only a Freight Manager may approve it/.test(target.querySelector(".o_notification").textContent));
        assert.strictEqual(target.querySelector(".o_freight_invoice .badge").textContent, "exception");
        assert.containsOnce(target, ".o_freight_decision", "the form stays open to try again");
    });

    QUnit.test("a short-pay proposes the expected total and sends the amount typed", async (assert) => {
        await open(server(), 2);
        await click(target, '[data-action="short_pay"]');
        assert.strictEqual(target.querySelector(".o_freight_amount").value, "600.00");
        await editInput(target, ".o_freight_amount", "0");
        await editInput(target, ".o_freight_reason", "paying the contract rate");
        await click(target, ".o_freight_confirm");
        assert.ok(/more than 0.00/.test(target.querySelector(".o_freight_problem").textContent));
        assert.notOk(routes().some((r) => r.endsWith("/act")), "nothing sent for 0.00");
        await editInput(target, ".o_freight_amount", "610");
        await click(target, ".o_freight_confirm");
        await nextTick();
        const act = calls.find(([route]) => route.endsWith("/act"));
        assert.deepEqual(act[1], { action: "short_pay", reason: "paying the contract rate", amount: 610 });
    });

    QUnit.test("an empty queue says so", async (assert) => {
        ROWS = [];
        await open(server());
        assert.strictEqual(target.querySelector(".o_freight_queue_empty").textContent.trim(), "No invoice matches these filters.");
        assert.strictEqual(target.querySelector(".o_freight_pager").textContent.trim(), "0–0 of 0");
    });

    QUnit.module("Workbench disputes");

    const PACKET = { id: 12, name: "Dispute INV-2.pdf", url: "/web/content/12?download=false" };

    function dispute(overrides = {}) {
        return {
            case_id: 5, case_name: "Rate variance", state: "draft", reason: "Contract says 0.50/kg",
            amount_disputed: 30, amount_recovered: 0, amount_written_off: 0, sent_at: false, deadline: false, escalated: false,
            contact: { id: 3, name: "Ann Billing", email: "billing@acme.test" }, endpoint: { id: 4, name: "Acme EDI" },
            channels: ["email", "endpoint"], packet: false, settled_by: false,
            ...overrides,
        };
    }

    const SUGGESTION = {
        resolution: "short_pay", label: "Short-pay to the expected amount",
        evidence: "7 of the last 9 similar rate variances with this carrier were short-paid to the expected amount; median recovery 94 %.",
        similar: 9, agreeing: 7, median_recovery: 0.94,
    };

    const text = (selector) => target.querySelector(selector)?.textContent.replace(/\s+/g, " ").trim();

    QUnit.test("the dispute panel shows each state with its amounts, dates and buttons", async (assert) => {
        const disputes = {
            1: dispute(),
            2: dispute({ state: "overdue", escalated: true, packet: PACKET, sent_at: "2024-07-13 09:00:00", deadline: "2024-07-27 09:00:00" }),
            3: dispute({
                state: "closed", packet: PACKET, amount_recovered: 25, amount_written_off: 5, sent_at: "2024-07-13 09:00:00",
                deadline: "2024-07-27 09:00:00", channels: [], contact: false, endpoint: false, settled_by: { id: 1, name: "INV-1R" },
            }),
        };
        await open(server((route) => {
            const one = route.match(/invoices\/(\d+)$/);
            if (one) {
                calls.push([route]);
                return detail(Number(one[1]), { dispute: disputes[one[1]] });
            }
        }), 1);
        assert.strictEqual(text(".o_freight_dispute_state"), "Draft");
        assert.strictEqual(text(".o_freight_dispute_reason"), "Contract says 0.50/kg");
        assert.strictEqual(text(".o_freight_dispute_disputed"), "30.00 USD");
        assert.strictEqual(text(".o_freight_dispute_contact"), "Ann Billing · billing@acme.test");
        assert.strictEqual(text(".o_freight_dispute_endpoint"), "Acme EDI");
        assert.containsNone(target, ".o_freight_dispute_sent_at", "not sent yet");
        assert.notOk(target.querySelector(".o_freight_preview_packet").disabled);
        const send = target.querySelector(".o_freight_send_packet");
        assert.ok(send.disabled, "no packet yet");
        assert.ok(/Preview the packet first/.test(send.title));

        await triggerHotkey("j");
        await nextTick();
        assert.strictEqual(text(".o_freight_dispute_state"), "Overdue — escalated");
        assert.hasClass(target.querySelector(".o_freight_dispute_state"), "text-bg-danger");
        assert.ok(text(".o_freight_dispute_deadline").includes("2024"), "the deadline in the clerk's zone");
        assert.strictEqual(target.querySelector(".o_freight_dispute_deadline").title, "2024-07-27 09:00:00 UTC");
        assert.ok(target.querySelector(".o_freight_send_packet").disabled, "sent once, not twice");

        await triggerHotkey("j");
        await nextTick();
        assert.strictEqual(text(".o_freight_dispute_state"), "Closed");
        assert.strictEqual(text(".o_freight_dispute_recovered"), "25.00 USD");
        assert.strictEqual(text(".o_freight_dispute_written_off"), "5.00 USD");
        assert.strictEqual(text(".o_freight_dispute_contact"), "none");
        assert.containsNone(target, ".o_freight_send_packet", "nothing left to send");
        assert.strictEqual(text(".o_freight_dispute_settled"), "Settled by INV-1R");
        await click(target, ".o_freight_dispute_settled a");
        await nextTick();
        assert.strictEqual(selectedName(), "Acme Freight · INV-1", "the rebill opens in the workbench");
    });

    QUnit.test("no channel: send is off with a tooltip that says why", async (assert) => {
        await open(server((route) => {
            if (/invoices\/2$/.test(route)) {
                return detail(2, { dispute: dispute({ packet: PACKET, channels: [], contact: false, endpoint: false }) });
            }
        }), 2);
        const send = target.querySelector(".o_freight_send_packet");
        assert.ok(send.disabled);
        assert.ok(/no billing contact/.test(send.title));
        assert.ok(/no billing contact/.test(target.querySelector(".o_freight_send_wrap").title), "the tooltip shows over the disabled button");
    });

    QUnit.test("preview builds the packet and shows it; send goes through the channels ticked", async (assert) => {
        let current = dispute();
        await open(server((route, args) => {
            if (!route.includes("/invoices/2")) return undefined;
            calls.push([route, args]);
            if (route.endsWith("/dispute/packet")) current = { ...current, packet: PACKET };
            if (route.endsWith("/dispute/send")) {
                current = { ...current, state: "sent", sent_at: "2024-07-13 09:00:00", deadline: "2024-07-27 09:00:00" };
            }
            return detail(2, { dispute: current });
        }), 2);
        const queueCalls = () => calls.filter(([route]) => route.endsWith("/queue")).length;
        await click(target, ".o_freight_preview_packet");
        await nextTick();
        assert.ok(routes().some((r) => r.endsWith("/invoices/2/dispute/packet")), "the packet is built first");
        assert.containsOnce(target, ".o_freight_packet_preview");
        // the test page keeps frames from loading: it moves their src to data-src
        const frame = target.querySelector(".o_freight_packet_frame");
        assert.strictEqual(frame.dataset.src || frame.getAttribute("src"), PACKET.url);
        assert.deepEqual([...target.querySelectorAll(".o_freight_channel")].map((c) => [c.dataset.channel, c.checked]),
            [["email", true], ["endpoint", true]]);
        assert.ok(/Ann Billing <billing@acme.test>/.test(text(".o_freight_channels")));
        // a key meant for the invoice does nothing under the preview; Escape closes it
        await triggerHotkey("j");
        await nextTick();
        assert.strictEqual(selectedName(), "Acme Freight · INV-2");
        await triggerHotkey("Escape");
        await nextTick();
        assert.containsNone(target, ".o_freight_packet_preview");
        assert.notOk(target.querySelector(".o_freight_send_packet").disabled, "the packet exists: it can be sent");

        await click(target, ".o_freight_preview_packet");
        await nextTick();
        const before = queueCalls();
        await click(target, '.o_freight_channel[data-channel="endpoint"]');
        await click(target, ".o_freight_preview_send");
        await nextTick();
        const sent = calls.filter(([route]) => route.endsWith("/invoices/2/dispute/send"));
        assert.strictEqual(sent.length, 1);
        assert.deepEqual(sent[0][1], { channels: ["email"] });
        assert.containsNone(target, ".o_freight_packet_preview");
        assert.ok(/Dispute packet sent to Ann Billing\./.test(target.querySelector(".o_notification").textContent));
        assert.strictEqual(text(".o_freight_dispute_state"), "Sent");
        assert.containsOnce(target, ".o_freight_dispute_deadline");
        assert.ok(queueCalls() > before, "the queue follows");
    });

    QUnit.test("a refused send is a notification and the panel stays as it was", async (assert) => {
        await open(server((route) => {
            if (route.endsWith("/dispute/send")) {
                const error = new Error("The carrier Acme Freight has no billing contact with an email.");
                error.data = { message: error.message };
                return Promise.reject(error);
            }
            if (/invoices\/2$/.test(route)) return detail(2, { dispute: dispute({ packet: PACKET }) });
        }), 2);
        await click(target, ".o_freight_send_packet");
        await nextTick();
        assert.ok(/no billing contact with an email/.test(target.querySelector(".o_notification").textContent));
        assert.strictEqual(text(".o_freight_dispute_state"), "Draft");
    });

    QUnit.test("the suggestion shows its evidence; s accepts it", async (assert) => {
        await open(server((route, args) => {
            if (route.endsWith("/suggestion/accept")) {
                calls.push([route, args]);
                return detail(2, { state: "approved", state_label: "Approved", actions: [] });
            }
            if (/invoices\/2$/.test(route)) return detail(2, { suggestion: SUGGESTION });
        }), 2);
        assert.strictEqual(text(".o_freight_suggestion_label"), "Short-pay to the expected amount");
        assert.ok(/7 of the last 9 similar/.test(text(".o_freight_suggestion_evidence")));
        assert.strictEqual(text(".o_freight_suggestion_facts"), "7 of 9 similar cases ended this way · median recovery 94 %");
        assert.ok(/Accept suggestion s/.test(text(".o_freight_accept_suggestion")));

        await triggerHotkey("/");
        await triggerHotkey("s");
        await nextTick();
        assert.notOk(routes().some((r) => r.endsWith("/suggestion/accept")), "s typed in the search field is text");
        await triggerHotkey("Escape");
        await triggerHotkey("?");
        await nextTick();
        await triggerHotkey("s");
        await nextTick();
        assert.notOk(routes().some((r) => r.endsWith("/suggestion/accept")), "not under the help");
        await triggerHotkey("Escape");
        await nextTick();

        const before = calls.filter(([route]) => route.endsWith("/queue")).length;
        await triggerHotkey("s");
        await nextTick();
        const accept = calls.filter(([route]) => route.endsWith("/invoices/2/suggestion/accept"));
        assert.strictEqual(accept.length, 1);
        assert.deepEqual(accept[0][1], {});
        assert.ok(/INV-2: Short-pay to the expected amount — done\./.test(target.querySelector(".o_notification").textContent));
        assert.strictEqual(target.querySelector(".o_freight_invoice .badge").textContent, "Approved");
        assert.containsNone(target, ".o_freight_suggestion");
        assert.ok(calls.filter(([route]) => route.endsWith("/queue")).length > before, "the queue follows");
    });
});
