// A finance clerk at month-end: open accruals by carrier and age, a shipment's cost
// position, the integrity check, and a large carrier invoice file imported in the
// background while its progress bar moves.
import { expect, test } from "@playwright/test";
import { join } from "node:path";
import { clickMenu, fullPageScreenshot, login, openApp, openMenu } from "./odoo";

async function shot(page: import("@playwright/test").Page, testInfo: import("@playwright/test").TestInfo, name: string) {
    const path = join(testInfo.project.outputDir, `${name}.png`);
    await fullPageScreenshot(page, path);
    await testInfo.attach(name, { path, contentType: "image/png" });
}

test("a clerk reviews open accruals, a shipment's costs and the integrity check", async ({ page }, testInfo) => {
    await login(page, "clerk");
    await openApp(page, "Freight");

    await openMenu(page, "Reporting", "Open Accruals");
    const pivot = page.locator("div.o_pivot");
    await expect(pivot).toBeVisible();
    await expect(pivot).toContainText("Blue Ridge");
    await expect(pivot).toContainText("0-30 days");
    await shot(page, testInfo, "open-accruals");

    await openMenu(page, "Reporting", "Freight Cost Position");
    const rows = page.locator(".o_list_view .o_data_row");
    await expect(rows.first()).toBeVisible();
    await rows.first().locator("td.o_data_cell").first().click();
    await page.locator(".o_notebook .nav-link", { hasText: "Costs" }).click();
    const costs = page.locator(".o_notebook .tab-pane.active");
    await expect(costs.locator("[name=accrual_state]")).toContainText("Accrued");
    await expect(costs.locator("[name=accrued_amount]")).not.toHaveText(/^\$?\s*0\.00/);
    await expect(costs.locator(".o_field_one2many[name=freight_move_ids] .o_data_row")).not.toHaveCount(0);
    await shot(page, testInfo, "shipment-costs");

    await clickMenu(page, "Reporting", "Integrity Check");
    const dialog = page.locator(".modal-dialog");
    await expect(dialog.locator(".alert-success")).toContainText("Books agree.");
    await shot(page, testInfo, "integrity-check");
});

test("a large invoice file is imported in the background, its progress bar filling up", async ({ page }, testInfo) => {
    const rows = ["Invoice #,Invoice Date,PRO,Charge Code,Amount"];
    for (let n = 0; n < 260; n++) {
        rows.push(`E2E-${Date.now().toString(36)}-${n},2026-11-20,NOPRO${n},400,${(100 + n).toFixed(2)}`);
    }
    rows.push("E2E-BAD,2026-11-20,NOPRO,400,lots");
    await login(page, "clerk");
    await openApp(page, "Freight");
    await clickMenu(page, "Billing", "Import Invoices (CSV)");
    const wizard = page.locator(".modal-dialog");
    await wizard.locator(".o_field_binary input[type=file]").setInputFiles({
        name: "november.csv", mimeType: "text/csv", buffer: Buffer.from(rows.join("\n")),
    });
    await wizard.locator(".o_field_widget[name=carrier_id] input").fill("Blue Ridge");
    await page.locator(".o-autocomplete--dropdown-item", { hasText: "Blue Ridge" }).first().click();
    await expect(wizard.locator("[name=preview]")).toContainText("260 invoice(s) ready, 1 row error(s)");
    await wizard.locator("button[name=action_import]").click();

    const progress = page.locator(".o_freight_upload_progress");
    await expect(progress).toBeVisible();
    await expect(page.locator(".o_breadcrumb")).toContainText("november.csv");
    await expect(progress.locator(".o_freight_upload_label")).toHaveText("260 invoices processed", { timeout: 60_000 });
    await expect(page.locator("[name=row_error_count]")).toContainText("1");
    await expect(page.locator("button[name=action_view_invoices]")).toContainText("260");
    await shot(page, testInfo, "invoice-upload-done");
});
