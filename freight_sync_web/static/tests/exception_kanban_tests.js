/** @odoo-module **/
// QUnit tests of the exception kanban (js_class freight_exception_kanban) on a mock server.

import { currencies } from "@web/core/currency";
import { registry } from "@web/core/registry";
import { makeServerError } from "@web/../tests/helpers/mock_server";
import { makeFakeNotificationService } from "@web/../tests/helpers/mock_services";
import {
    click, editInput, editSelect, getFixture, nextTick, patchWithCleanup,
} from "@web/../tests/helpers/utils";
import { makeView, setupViewRegistries } from "@web/../tests/views/helpers";

const { DateTime } = luxon;
const ago = (values) => DateTime.utc().minus(values).toFormat("yyyy-MM-dd HH:mm:ss");
const REASONS = [["rate", "Rate not per contract"], ["damage", "Damage or loss claim"]];
const KANBAN = `<kanban js_class="freight_exception_kanban">
    <field name="user_id"/><field name="currency_id"/><field name="amount_at_stake"/>
    <field name="create_date"/><field name="deadline"/><field name="is_closed"/>
    <field name="is_waiting"/><field name="dispute_reason"/>
    <templates><t t-name="kanban-box">
        <div><field name="name"/></div>
    </t></templates>
</kanban>`;

let serverData;
let target;
let notifications;

QUnit.module("freight_sync_web", (hooks) => {
    hooks.beforeEach(() => {
        target = getFixture();
        notifications = [];
        patchWithCleanup(currencies, { 1: { symbol: "$", position: "before", digits: [69, 2] } });
        serverData = {
            models: {
                "freight.exception": {
                    fields: {
                        name: { string: "Name", type: "char" },
                        user_id: { string: "Assignee", type: "many2one", relation: "res.users" },
                        currency_id: { string: "Currency", type: "many2one", relation: "res.currency" },
                        amount_at_stake: { string: "At stake", type: "monetary", currency_field: "currency_id" },
                        create_date: { string: "Created", type: "datetime" },
                        deadline: { string: "Deadline", type: "datetime" },
                        is_closed: { string: "Closed", type: "boolean" },
                        is_waiting: { string: "Waiting", type: "boolean" },
                        dispute_reason: { string: "Reason", type: "selection", selection: REASONS },
                    },
                    records: [
                        { id: 1, name: "Overbilled", user_id: 7, currency_id: 1, amount_at_stake: 1234.5,
                          create_date: ago({ days: 10 }), deadline: false },
                        { id: 2, name: "Refused", user_id: false, currency_id: 1, amount_at_stake: 0,
                          create_date: ago({ hours: 1 }), deadline: ago({ hours: 3 }) },
                        { id: 3, name: "Done", user_id: 7, currency_id: 1, amount_at_stake: 50,
                          create_date: ago({ days: 3 }), is_closed: true },
                    ],
                },
                "res.users": { fields: {}, records: [{ id: 7, display_name: "Mitchell Admin" }] },
                "res.currency": { fields: {}, records: [{ id: 1, display_name: "USD" }] },
            },
        };
        setupViewRegistries();
        registry.category("services").add(
            "notification",
            makeFakeNotificationService((message, options) => notifications.push({ message, ...options })),
            { force: true },
        );
    });

    const open = (mockRPC) => makeView({
        type: "kanban", resModel: "freight.exception", serverData, arch: KANBAN, mockRPC,
    });
    const card = (id) => [...target.querySelectorAll(".o_kanban_record")].find(
        (el) => el.textContent.includes(serverData.models["freight.exception"].records[id - 1].name));
    const buttons = (id) => [...card(id).querySelectorAll(".oe_kanban_action")].map(
        (b) => b.className.match(/o_freight_quick_(\w+)/)[1]);

    QUnit.module("ExceptionKanban");

    QUnit.test("cards show aging, amount at stake, assignee and what can be done", async (assert) => {
        await open();
        assert.hasClass(card(1), "flex-column", "the strip sits under the card, not beside it");
        const stale = card(1).querySelector(".o_freight_aging");
        assert.strictEqual(stale.textContent, "10d");
        assert.hasClass(stale, "text-bg-danger");
        assert.strictEqual(card(1).querySelector(".o_freight_amount").textContent, "$\u00a01,234.50");
        // the test setup moves every src to data-src so that no image is fetched
        assert.strictEqual(card(1).querySelector(".o_freight_assignee").dataset.src,
            "/web/image/res.users/7/avatar_128");
        assert.deepEqual(buttons(1), ["dispute", "resolve"], "already mine: nothing to assign");

        assert.strictEqual(card(2).querySelector(".o_freight_aging").dataset.bucket, "overdue");
        assert.strictEqual(card(2).querySelector(".o_freight_aging").textContent, "Overdue 3h");
        assert.containsNone(card(2), ".o_freight_amount", "nothing at stake, nothing shown");
        assert.containsOnce(card(2), ".o_freight_unassigned");
        assert.deepEqual(buttons(2), ["assign_to_me", "dispute", "resolve"]);

        assert.hasClass(card(3).querySelector(".o_freight_aging"), "text-bg-secondary");
        assert.deepEqual(buttons(3), [], "closed cases offer no action");
    });

    QUnit.test("assign to me calls the server and reloads the card", async (assert) => {
        await open((route, args) => {
            if (args.method === "action_assign_to_me") {
                assert.step(`${args.method} ${JSON.stringify(args.args)}`);
                serverData.models["freight.exception"].records[1].user_id = 7;
                return true;
            }
            if (args.method === "web_read") {
                assert.step("web_read");
            }
        });
        await click(card(2), ".o_freight_quick_assign_to_me");
        assert.verifySteps(["action_assign_to_me [[2]]", "web_read"]);
        assert.containsOnce(card(2), ".o_freight_assignee");
        assert.deepEqual(buttons(2), ["dispute", "resolve"]);
        assert.containsNone(target, ".o_form_view", "the button does not open the case");
    });

    QUnit.test("dispute asks for a reason and a note, then reloads the board", async (assert) => {
        await open((route, args) => {
            if (args.method === "action_dispute") {
                assert.step(`${args.method} ${JSON.stringify(args.args)}`);
                serverData.models["freight.exception"].records[1].is_waiting = true;
                return true;
            }
            if (args.method === "web_search_read") {
                assert.step("web_search_read");
            }
        });
        assert.verifySteps(["web_search_read"]);
        await click(card(2), ".o_freight_quick_dispute");
        assert.containsOnce(target, ".o_dialog .o_freight_note_dialog");
        const confirm = target.querySelector(".o_dialog .o_freight_confirm");
        assert.ok(confirm.disabled, "no note, no dispute");
        await editSelect(target, ".o_dialog .o_freight_reason", "damage");
        await editInput(target, ".o_dialog .o_freight_note", "  Pallet crushed ");
        assert.notOk(confirm.disabled);
        await click(confirm);
        await nextTick();
        assert.verifySteps(['action_dispute [[2],"damage","Pallet crushed"]', "web_search_read"]);
        assert.containsNone(target, ".o_dialog");
        assert.deepEqual(buttons(2), ["assign_to_me", "resolve"], "already waiting on the carrier");
    });

    QUnit.test("a refused action says why and leaves the card as it was", async (assert) => {
        await open((route, args) => {
            if (args.method === "action_resolve") {
                throw makeServerError({ description: "Already closed: Refused" });
            }
        });
        await click(card(2), ".o_freight_quick_resolve");
        await editInput(target, ".o_dialog .o_freight_note", "done");
        await click(target, ".o_dialog .o_freight_confirm");
        await nextTick();
        assert.strictEqual(notifications.length, 1);
        assert.strictEqual(notifications[0].message, "Already closed: Refused");
        assert.strictEqual(notifications[0].type, "danger");
        assert.containsOnce(target, ".o_dialog", "the dialog stays so the note is not lost");
        assert.deepEqual(buttons(2), ["assign_to_me", "dispute", "resolve"]);
    });
});
