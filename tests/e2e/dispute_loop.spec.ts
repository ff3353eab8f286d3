// The dispute loop with the carrier, as a billing clerk lives it, on the demo invoice
// BR-70120 (Blue Ridge billed 150.00 over the contract's linehaul; demo/disputes.py):
// dispute from the workbench, preview the packet, send it by email; the carrier's rebill
// comes in through the signed invoices route; the case closes with the recovered amount
// and the dashboard's recovered money moves.
import { expect, test, type Page } from "@playwright/test";
import { signedHeaders } from "../sim/sign";
import { callKw, clickMenu, jsonRoute, login, openApp, shot } from "./odoo";

const KEY = "fsk_demo_blue_ridge_do_not_use_in_production";
const SECRET = "demo-signing-secret";
const NUMBER = "BR-70120";

interface Invoice { id: number; name: string; state: string; date: string; amount_total: number; expected_total: number }
interface Line { line_no: number; pro_number: string; charge_code: string; amount: number; expected: number }
interface Case { id: number; amount_disputed: number; amount_recovered: number; amount_written_off: number; is_closed: boolean; rebill_invoice_id: [number, string] | false; packet_id: [number, string] | false; dispute_sent_at: string | false }
interface Mail { id: number; recipient_ids: number[]; attachment_ids: number[]; subject: string; state: string }
interface Figures { disputes: { carriers: { name: string; recovered: number; settled: number; won: number }[] } }

const rows = (page: Page) => page.locator(".o_freight_queue .o_freight_row");
const detail = (page: Page) => page.locator(".o_freight_detail .o_freight_invoice");
const detailState = (page: Page) => detail(page).locator("h3 + div .o_freight_state");

async function recoveredForBlueRidge(page: Page): Promise<number> {
    const answer = await jsonRoute<Figures>(page, "/freight_sync/ui/v1/dashboard", {});
    expect(answer.error).toBeUndefined();
    return (answer.result as Figures).disputes.carriers.find((c) => c.name.includes("Blue Ridge"))?.recovered ?? 0;
}

test("clerk: disputes an invoice, sends the packet, the carrier's rebill closes the case", async ({ page }, testInfo) => {
    await login(page, "clerk");
    const fields = ["id", "name", "state", "date", "amount_total", "expected_total"];
    const [invoice] = await callKw<Invoice[]>(page, "freight.invoice", "search_read", [[["name", "=", NUMBER], ["correction", "=", "original"]], fields]);
    expect(invoice.state).toBe("exception");
    const recoveredBefore = await recoveredForBlueRidge(page);

    // the workbench: the invoice, the suggestion drawn from the demo history, the dispute form
    await page.goto("/web#action=freight_sync_web.workbench");
    await expect(page.locator(".o_freight_workbench")).toBeVisible();
    const field = page.locator(".o_freight_search");
    await field.fill(NUMBER);
    await field.press("Enter");
    await expect(rows(page)).toHaveCount(1);
    await field.press("Tab");
    await page.keyboard.press("j");
    await expect(detail(page).locator("h3")).toContainText(NUMBER);
    await expect(detailState(page)).toHaveText("Exception");
    const suggestion = page.locator(".o_freight_suggestion");
    await expect(suggestion).toBeVisible();
    testInfo.annotations.push({ type: "suggestion", description: (await suggestion.innerText()).replace(/\s+/g, " ") });
    await shot(page, testInfo, "dispute-suggestion");

    await page.keyboard.press("d");
    const form = page.locator(".o_freight_decision");
    await expect(form).toBeVisible();
    await form.locator(".o_freight_reason_code").selectOption("rate");
    await form.locator(".o_freight_reason").fill("Linehaul billed 150.00 above the contract rate.");
    await form.locator(".o_freight_confirm").click();
    await expect(detailState(page)).toHaveText("Disputed");
    const panel = page.locator(".o_freight_dispute");
    await expect(panel).toBeVisible();
    await expect(panel.locator(".o_freight_dispute_disputed")).toContainText("150.00");

    // preview: the packet PDF in the dialog, then send it by email
    await panel.locator(".o_freight_preview_packet").click();
    const preview = page.locator(".o_freight_packet_preview");
    await expect(preview).toBeVisible();
    const src = await preview.locator("iframe").getAttribute("src");
    expect(src).toMatch(/\/web\/content\/\d+/);
    const pdf = await page.request.get(src as string);
    expect(pdf.ok()).toBeTruthy();
    expect((await pdf.body()).subarray(0, 4).toString()).toBe("%PDF");
    await shot(page, testInfo, "dispute-packet-preview");
    await preview.locator(".o_freight_preview_send").click();
    await expect(page.locator(".o_notification").filter({ hasText: "sent" })).toBeVisible();
    await expect(panel.locator(".o_freight_dispute_state")).toContainText(/Sent/);
    await expect(panel.locator(".o_freight_dispute_deadline")).not.toBeEmpty();
    await shot(page, testInfo, "dispute-sent");

    const caseFields = ["id", "amount_disputed", "amount_recovered", "amount_written_off", "is_closed", "rebill_invoice_id", "packet_id", "dispute_sent_at"];
    const [lead] = await callKw<Case[]>(page, "freight.exception", "search_read", [[["invoice_id", "=", invoice.id], ["amount_disputed", ">", 0]], caseFields]);
    expect(lead.dispute_sent_at).toBeTruthy();
    expect(lead.packet_id).toBeTruthy();

    // the email waits in the mail queue for the carrier's billing contact, packet attached
    await login(page, "admin");
    const mails = await callKw<Mail[]>(page, "mail.mail", "search_read", [[["model", "=", "freight.exception"], ["res_id", "=", lead.id]], ["id", "recipient_ids", "attachment_ids", "subject", "state"]]);
    expect(mails.length).toBe(1);
    expect(mails[0].subject).toContain(NUMBER);
    expect(mails[0].attachment_ids.length).toBeGreaterThanOrEqual(1);

    // the carrier answers with a rebill at the contract amounts, through the signed route
    await login(page, "clerk");
    const lines = await callKw<Line[]>(page, "freight.invoice.line", "search_read", [[["invoice_id", "=", invoice.id]], ["line_no", "pro_number", "charge_code", "amount", "expected"]]);
    const rebilled = lines.map((line) => ({ line_no: line.line_no, charge_code: line.charge_code, amount: line.expected, shipment: { pro_number: line.pro_number } }));
    const total = Math.round(rebilled.reduce((sum, line) => sum + line.amount, 0) * 100) / 100;
    const body = JSON.stringify({ invoices: [{ number: NUMBER, date: invoice.date, currency: "USD", total, correction: "RB", corrects: NUMBER, lines: rebilled }] });
    const answer = await page.request.post("/freight_sync/v1/invoices", { data: body, headers: signedHeaders(body, KEY, SECRET, "application/json") });
    expect(answer.status()).toBe(202);

    // the inbox cron audits the rebill at once: within policy, approved, and the case closes
    await expect.poll(async () => (await callKw<Case[]>(page, "freight.exception", "read", [[lead.id], caseFields]))[0].is_closed, { timeout: 60_000 }).toBe(true);
    const [closed] = await callKw<Case[]>(page, "freight.exception", "read", [[lead.id], caseFields]);
    expect(closed.amount_recovered).toBeCloseTo(150, 2);
    expect(closed.amount_written_off).toBeCloseTo(0, 2);
    expect(closed.rebill_invoice_id).toBeTruthy();

    const dashboardRecovered = await recoveredForBlueRidge(page);
    expect(dashboardRecovered).toBeCloseTo(recoveredBefore + 150, 2);

    // the dashboard's disputes section, as a manager opens it
    await login(page, "freight_admin");
    await openApp(page, "Freight");
    await clickMenu(page, "Reporting", "Dashboard");
    const disputes = page.locator(".o_freight_disputes");
    await expect(disputes).toBeVisible();
    await expect(disputes.locator(".o_freight_disputes_row").filter({ hasText: "Blue Ridge" })).toBeVisible();
    await disputes.scrollIntoViewIfNeeded();
    await page.waitForTimeout(1500); // Chart.js grows its bars for a second: shoot them grown
    await shot(page, testInfo, "dispute-dashboard");
});
