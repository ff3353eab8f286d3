// A carrier corrects an invoice it sent (X12 B308 / JSON "correction": "CO"): the
// correction replaces the invoice it names, and the clerk sees both, one "Replaced".
// Runs on the demo invoice BR-90101 (approved history, not used by the other files).
import { expect, test } from "@playwright/test";
import { signedHeaders } from "../sim/sign";
import { callKw, login, shot } from "./odoo";

const KEY = "fsk_demo_blue_ridge_do_not_use_in_production";
const SECRET = "demo-signing-secret";

interface Invoice { id: number; name: string; state: string; date: string; amount_total: number; move_id: [number, string] | false; corrects_id: [number, string] | false }
interface Line { pro_number: string; charge_code: string; amount: number }
interface Move { state: string; move_type: string; amount_total: number; payment_state: string }

test("clerk: a carrier's correction replaces the invoice it names, paid once", async ({ page }, testInfo) => {
    await login(page, "clerk");
    const fields = ["id", "name", "state", "date", "amount_total", "move_id", "corrects_id"];
    const [original] = await callKw<Invoice[]>(page, "freight.invoice", "search_read", [[["name", "=", "BR-90101"]], fields]);
    const lines = await callKw<Line[]>(page, "freight.invoice.line", "search_read", [[["invoice_id", "=", original.id]], ["pro_number", "charge_code", "amount"]]);
    const [bill] = original.move_id
        ? await callKw<Move[]>(page, "account.move", "read", [[original.move_id[0]], ["state", "move_type", "amount_total", "payment_state"]])
        : [undefined];

    // the carrier lowers its linehaul by 10.00 and sends the invoice again as a correction
    const corrected = lines.map((line, index) => ({
        charge_code: line.charge_code,
        amount: Math.round((line.amount - (index === 0 ? 10 : 0)) * 100) / 100,
        shipment: { pro_number: line.pro_number },
    }));
    const total = Math.round(corrected.reduce((sum, line) => sum + line.amount, 0) * 100) / 100;
    const body = JSON.stringify({ invoices: [{ number: "BR-90101", date: original.date, currency: "USD", total, correction: "CO", lines: corrected }] });
    const answer = await page.request.post("/freight_sync/v1/invoices", { data: body, headers: signedHeaders(body, KEY, SECRET, "application/json") });
    expect(answer.status()).toBe(202);

    // the processing cron is woken at once: the correction is audited (under-billed: within policy)
    const correction = async () => (await callKw<Invoice[]>(page, "freight.invoice", "search_read", [[["name", "=", "BR-90101"], ["correction", "=", "CO"]], fields]))[0];
    await expect.poll(async () => (await correction())?.state, { timeout: 60_000 }).toMatch(/approved|posted/);
    const co = await correction();
    expect(co.corrects_id && co.corrects_id[0]).toBe(original.id);
    const [after] = await callKw<Invoice[]>(page, "freight.invoice", "read", [[original.id], ["state"]]);
    expect(after.state).toBe("superseded");

    // paid once: a paid bill stands and the correction is a credit note for the 10.00;
    // an unpaid one is cancelled (draft) or credited, and the correction billed in full
    const [coBill] = await callKw<Move[]>(page, "account.move", "read", [[(co.move_id as [number, string])[0]], ["state", "move_type", "amount_total", "payment_state"]]);
    if (bill && ["paid", "in_payment", "partial"].includes(bill.payment_state)) {
        expect([coBill.move_type, coBill.amount_total]).toEqual(["in_refund", 10]);
    } else {
        expect([coBill.move_type, coBill.amount_total]).toEqual(["in_invoice", total]);
        if (bill) {
            const [old] = await callKw<Move[]>(page, "account.move", "read", [[(original.move_id as [number, string])[0]], ["state", "payment_state"]]);
            expect(old.state === "cancel" || old.payment_state === "reversed").toBeTruthy();
        }
    }

    // what the clerk sees: both in the carrier invoices, the original "Replaced"
    await page.goto("/web#action=freight_sync.action_freight_invoice");
    await page.locator(".o_searchview_input").fill("BR-90101");
    await page.locator(".o_searchview_input").press("Enter");
    const rows = page.locator(".o_list_view .o_data_row");
    await expect(rows).toHaveCount(2);
    await expect(rows.filter({ hasText: "Replaced" })).toHaveCount(1);
    await shot(page, testInfo, "invoice-chain-list");
    await rows.filter({ hasNotText: "Replaced" }).first().click();
    await expect(page.locator(".o_form_view")).toBeVisible();
    await expect(page.locator(".o_field_widget[name=corrects_id]")).toContainText("BR-90101");
    await shot(page, testInfo, "invoice-chain-correction");
});
