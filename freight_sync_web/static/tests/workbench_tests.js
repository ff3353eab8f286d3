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
        assert.containsN(target, ".o_freight_help dt", 6);
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
});
