// The reconciliation workbench (Freight > Billing > Reconciliation) as the billing clerk and
// the freight manager use it, on the demo carrier invoices BR-90101..BR-90119:
//   90107-90114 audited (within tolerance), 90115-90117 in exception below the override
//   threshold (500), 90118 (+650) and 90119 (+900) in exception above it.
// clerk_costs.spec.ts imports 260 more invoices into the same database before this file
// runs, so every test narrows the queue with the search field first.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { expect, test } from "@playwright/test";
import { callKw, jsonRoute, login, shot } from "./odoo";
import {
    detail,
    detailState,
    detailTitle,
    leaveSearch,
    openInvoice,
    openWorkbench,
    rows,
    search,
    WORKBENCH_URL,
} from "./workbench_page";

interface Detail {
    id: number;
    name: string;
    state: string;
    actions: string[];
    expected_total: number;
    variance_total: number;
}

test("clerk: the workbench is interactive quickly after navigation", async ({ page }, testInfo) => {
    await login(page, "clerk");
    const samples: { rows_visible_ms: number; interactive_ms: number }[] = [];
    for (let run = 0; run < 3; run++) {
        await page.goto("about:blank");
        const start = Date.now();
        await page.goto(WORKBENCH_URL);
        await expect(rows(page).first()).toBeVisible();
        const rowsVisible = Date.now() - start;
        // interactive: the keyboard works, j opens the first invoice of the queue
        await page.keyboard.press("j");
        await expect(detailTitle(page)).toBeVisible();
        const interactive = Date.now() - start;
        samples.push({ rows_visible_ms: rowsVisible, interactive_ms: interactive });
        console.log(`workbench run ${run + 1}: rows visible in ${rowsVisible} ms, interactive in ${interactive} ms`);
    }
    const sorted = samples.map((s) => s.interactive_ms).sort((a, b) => a - b);
    const median = sorted[1] ?? 0;
    console.log(`workbench interactive in ${median} ms (median of 3: ${sorted.join(", ")} ms; goal <= 1500 ms)`);
    const file = join(testInfo.project.outputDir, "workbench-tti.json");
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify({
        measured: "page.goto(/web#action=freight_sync_web.workbench) from about:blank until queue rows are visible and j shows an invoice",
        user: "clerk",
        queue_total: await page.locator(".o_freight_pager").innerText(),
        median_ms: median,
        goal_ms: 1500,
        samples,
    }, null, 2)}\n`);
    testInfo.annotations.push({ type: "workbench interactive (median)", description: `${median} ms` });
    expect(median, "navigation to an interactive workbench").toBeLessThan(5000);
});

test("clerk: approves one invoice, disputes another, bulk-approves five", async ({ page }, testInfo) => {
    await login(page, "clerk");
    await openWorkbench(page);

    // the demo invoices, one selected, as the clerk starts the day
    await search(page, "BR-901");
    await expect(rows(page).filter({ hasText: "BR-90107" })).toHaveCount(1);
    await leaveSearch(page);
    await page.keyboard.press("j");
    await expect(detailTitle(page)).toBeVisible();
    await shot(page, testInfo, "workbench-queue");

    // approve BR-90107 (clean, audited) with the keyboard
    await openInvoice(page, "BR-90107");
    await expect(detailState(page)).toHaveText("Audited");
    await page.keyboard.press("a");
    await expect(detailState(page)).toHaveText(/Approved|Posted/);
    await expect(page.locator(".o_notification").filter({ hasText: "BR-90107" })).toContainText("BR-90107 approved.");
    // approved is done work: it leaves the default queue (audited, exception, disputed)
    await expect(rows(page)).toHaveCount(0);

    // dispute BR-90115 (over tolerance): d opens the form, the reason code and a note
    await openInvoice(page, "BR-90115");
    await expect(detailState(page)).toHaveText("Exception");
    await page.keyboard.press("d");
    const form = page.locator(".o_freight_decision");
    await expect(form).toBeVisible();
    await expect(form.locator(".o_freight_reason")).toBeFocused();
    await form.locator(".o_freight_confirm").click();
    await expect(form.locator(".o_freight_problem")).toHaveText("Choose why you dispute it.");
    await form.locator(".o_freight_reason_code").selectOption({ index: 1 });
    const reasonLabel = (await form.locator(".o_freight_reason_code option:checked").innerText()).trim();
    await form.locator(".o_freight_reason").fill("Linehaul billed above the contract rate; asked for a corrected invoice.");
    await shot(page, testInfo, "workbench-dispute-form");
    await form.locator(".o_freight_confirm").click();
    await expect(detailState(page)).toHaveText("Disputed");
    await expect(form).toHaveCount(0);
    await expect(detail(page)).toContainText("reason: ");
    testInfo.annotations.push({ type: "dispute reason", description: reasonLabel });
    await shot(page, testInfo, "workbench-dispute");

    // bulk: only the audited invoices of the demo, five of them ticked
    await search(page, "BR-901");
    await page.locator(".o_freight_states [data-state=exception]").click();
    await page.locator(".o_freight_states [data-state=disputed]").click();
    await expect(page).toHaveURL(/states=audited(&|$)/);
    await expect(async () => {
        const states = await rows(page).locator(".o_freight_state").allInnerTexts();
        expect(states.length).toBeGreaterThanOrEqual(5);
        expect(new Set(states)).toEqual(new Set(["Audited"]));
    }).toPass();
    const picked: string[] = [];
    for (let i = 0; i < 5; i++) {
        const row = rows(page).nth(i);
        picked.push((await row.locator("td:nth-child(2)").innerText()).trim());
        await row.locator("td").first().locator("input[type=checkbox]").check();
    }
    const button = page.locator(".o_freight_bulk_approve");
    await expect(button).toHaveText(/Approve selected \(5\)/);
    await button.click();
    await expect(page.locator(".o_freight_bulk_summary")).toHaveText("Bulk approval: 5 approved");
    await expect(page.locator(".o_notification").filter({ hasText: "Bulk approval" })).toContainText("5 approved");
    for (const name of picked) {
        await expect(rows(page).filter({ hasText: name })).toHaveCount(0); // left the audited queue
    }
    await expect(button).toHaveText(/Approve selected \(0\)/);
    await expect(button).toBeDisabled();
    testInfo.annotations.push({ type: "bulk approved", description: picked.join(", ") });
    await shot(page, testInfo, "workbench-bulk");
});

test("clerk cannot override above the threshold; the freight manager can, with a reason", async ({ page, browser }, testInfo) => {
    await login(page, "clerk");
    await openWorkbench(page);
    const id = await openInvoice(page, "BR-90118");
    await expect(detailState(page)).toHaveText("Exception");
    const actions = detail(page).locator(".o_freight_actions");
    await expect(actions.locator("[data-action=short_pay]")).toBeVisible();
    await expect(actions.locator("[data-action=override]")).toHaveCount(0);
    await expect(actions.locator(".o_freight_override_hint")).toHaveText(
        /Override is for a Freight Manager above 500\.00/,
    );
    await shot(page, testInfo, "workbench-clerk-no-override");

    // the server says no too, whatever the screen shows
    const refused = await jsonRoute<Detail>(page, `/freight_sync/ui/v1/invoices/${id}/act`, {
        action: "override", reason: "e2e: a clerk tries the route directly",
    });
    expect(refused.result).toBeUndefined();
    expect(refused.error?.data?.message ?? "").toContain("Freight Manager");
    testInfo.annotations.push({ type: "clerk override refused", description: refused.error?.data?.message ?? "" });
    const still = await jsonRoute<Detail>(page, `/freight_sync/ui/v1/invoices/${id}`);
    expect(still.result?.state).toBe("exception");

    // the freight manager sees the override, which wants a reason
    const adminContext = await browser.newContext();
    const admin = await adminContext.newPage();
    try {
        await login(admin, "freight_admin");
        await openWorkbench(admin);
        await openInvoice(admin, "BR-90118");
        const override = detail(admin).locator("[data-action=override]");
        await expect(override).toHaveText("Approve with override");
        await expect(detail(admin).locator(".o_freight_override_hint")).toHaveCount(0);
        await override.click();
        const form = admin.locator(".o_freight_decision");
        await expect(form.locator("h5")).toHaveText("Approve with override");
        await expect(form.locator(".o_freight_reason_code")).toHaveCount(0);
        await form.locator(".o_freight_confirm").click();
        await expect(form.locator(".o_freight_problem")).toHaveText("Say why: the reason is kept with the invoice.");
        await expect(detailState(admin)).toHaveText("Exception");
        await form.locator(".o_freight_reason").fill("Detention agreed by phone with Blue Ridge; pay as billed.");
        await shot(admin, testInfo, "workbench-admin-override-form");
        await form.locator(".o_freight_confirm").click();
        await expect(detailState(admin)).toHaveText(/Approved|Posted/);
        await expect(admin.locator(".o_notification").filter({ hasText: "BR-90118" })).toContainText("approved with override");
        await shot(admin, testInfo, "workbench-admin-override");
    } finally {
        await adminContext.close();
    }
    const after = await jsonRoute<Detail>(page, `/freight_sync/ui/v1/invoices/${id}`);
    expect(after.result?.state).toMatch(/approved|posted/);
});

test("clerk: a reload opens the same invoice and the same queue (state in the URL)", async ({ page }, testInfo) => {
    await login(page, "clerk");
    await openWorkbench(page);
    const id = await openInvoice(page, "BR-90116");
    await expect(page).toHaveURL(new RegExp(`invoice=${id}(&|$)`));
    await page.reload();
    await expect(detailTitle(page)).toContainText("BR-90116");
    await expect(detail(page)).toHaveAttribute("data-invoice-id", String(id));
    await expect(page.locator(".o_freight_search")).toHaveValue("BR-90116");
    await expect(rows(page)).toHaveCount(1);
    await expect(rows(page).first()).toHaveClass(/o_selected/);

    // ? shows the shortcuts, Esc closes them
    await page.keyboard.press("?");
    const help = page.locator(".o_freight_help");
    await expect(help).toBeVisible();
    await expect(help).toContainText("approve the selected invoice");
    await shot(page, testInfo, "workbench-help");
    await page.keyboard.press("Escape");
    await expect(help).toHaveCount(0);
});

// The shortcut help says "Esc: leave the search field": Chromium's own Esc on an
// <input type="search"> would clear it and bring the whole queue back.
test("clerk: Esc leaves the search field and keeps the search", async ({ page }) => {
    await login(page, "clerk");
    await openWorkbench(page);
    await search(page, "BR-90116", 1);
    await page.locator(".o_freight_search").press("Escape");
    await expect(page.locator(".o_freight_search")).not.toBeFocused();
    await expect(page.locator(".o_freight_search")).toHaveValue("BR-90116", { timeout: 3000 });
    await expect(rows(page)).toHaveCount(1, { timeout: 3000 });
});

test("clerk: audits an invoice again, then short-pays it for an amount of their own", async ({ page }, testInfo) => {
    await login(page, "clerk");
    await openWorkbench(page);
    const id = await openInvoice(page, "BR-90117");
    await expect(detailState(page)).toHaveText("Exception");
    const before = await jsonRoute<Detail>(page, `/freight_sync/ui/v1/invoices/${id}`);

    // nothing new about the shipment: the same findings stand after a second audit
    await detail(page).locator("[data-action=reaudit]").click();
    await expect(page.locator(".o_notification").filter({ hasText: "BR-90117" })).toContainText(
        "BR-90117 audited again with today's evidence.",
    );
    await expect(detailState(page)).toHaveText("Exception");
    const again = await jsonRoute<Detail>(page, `/freight_sync/ui/v1/invoices/${id}`);
    expect(again.result?.variance_total).toBe(before.result?.variance_total);

    // short-pay asks how much to pay, proposing the expected total
    await detail(page).locator("[data-action=short_pay]").click();
    const form = page.locator(".o_freight_decision");
    const amount = form.locator(".o_freight_amount");
    const expected = Number(before.result?.expected_total);
    await expect(amount).toHaveValue(expected.toFixed(2));
    await amount.fill("0");
    await form.locator(".o_freight_reason").fill("Paying the contract rate plus the agreed lift gate.");
    await form.locator(".o_freight_confirm").click();
    await expect(form.locator(".o_freight_problem")).toBeVisible();
    const pay = expected + 10;
    await amount.fill(pay.toFixed(2));
    await shot(page, testInfo, "workbench-short-pay-form");
    await form.locator(".o_freight_confirm").click();
    await expect(detailState(page)).toHaveText(/Approved|Posted/);
    const paid = await callKw<{ amount_approved: number }[]>(page, "freight.invoice", "read", [[id], ["amount_approved"]]);
    expect(paid[0].amount_approved).toBeCloseTo(pay, 2);
    await shot(page, testInfo, "workbench-short-paid");
});
