// LTL rating as the billing clerk reads it in the workbench, on the demo LTL carrier's
// invoices (freight_sync/demo/ltl.py): PL-5008 bills a dimensional-weight rebill without an
// inspection certificate, so it waits in exception with the whole rating in its trace.
import { expect, test } from "@playwright/test";
import { login, shot } from "./odoo";
import { detail, openInvoice, openWorkbench } from "./workbench_page";

test("clerk: an LTL line's trace shows FAK, the weight break, deficit, discount and minimum", async ({ page }, testInfo) => {
    await login(page, "clerk");
    await openWorkbench(page);
    await openInvoice(page, "PL-5008");
    // line 1 is the linehaul: its rule trace is the first one
    await detail(page).getByText("how was this decided?").first().click();
    const trace = detail(page).locator(".o_freight_trace").first();
    await expect(trace).toContainText("class 85 → FAK 70");
    await expect(trace).toContainText("900 lb → 1M break deficit 100 lb cheaper");
    await expect(trace).toContainText("− 72 % discount → 276.75, minimum 95.00");
    await expect(trace).toContainText(
        "dimensional weight 900 → 1,600 lb (96x48x60 N x2), no inspection certificate");
    await expect(detail(page).locator(".o_freight_summary")).toContainText(
        "dimensional weight 900 → 1,600 lb (96x48x60 N x2) without an inspection certificate");
    await shot(page, testInfo, "ltl-trace");
});
