// The reconciliation workbench as a clerk drives it: its rows, the invoice open on the right,
// the search field and the keyboard. Shared by the workbench specs.
import { expect, type Page } from "@playwright/test";

export const WORKBENCH_URL = "/web#action=freight_sync_web.workbench";

export const rows = (page: Page) => page.locator(".o_freight_queue .o_freight_row");
export const detail = (page: Page) => page.locator(".o_freight_detail .o_freight_invoice");
export const detailTitle = (page: Page) => detail(page).locator("h3");
export const detailState = (page: Page) => detail(page).locator("h3 + div .o_freight_state");

export async function openWorkbench(page: Page): Promise<void> {
    await page.goto(WORKBENCH_URL);
    await expect(page.locator(".o_freight_workbench")).toBeVisible();
    await expect(rows(page).first()).toBeVisible();
}

/** Types in the search field and waits until every row shown matches it. */
export async function search(page: Page, text: string, expectedRows?: number): Promise<void> {
    const field = page.locator(".o_freight_search");
    await field.fill(text);
    await field.press("Enter"); // the field listens to `change`
    if (expectedRows !== undefined) {
        await expect(rows(page)).toHaveCount(expectedRows);
    }
    await expect(async () => {
        const names = await rows(page).locator("td:nth-child(2)").allInnerTexts();
        expect(names.length).toBeGreaterThan(0);
        for (const name of names) {
            expect(name).toContain(text);
        }
    }).toPass();
    await expect(page).toHaveURL(new RegExp(`q=${text}`));
}

/** Leaves the search field for the keyboard shortcuts, as a clerk would with Tab. */
export async function leaveSearch(page: Page): Promise<void> {
    await page.locator(".o_freight_search").press("Tab");
    await expect(page.locator(".o_freight_search")).not.toBeFocused();
}

/** Searches one invoice by its number and opens it with the keyboard (leave the field, j). */
export async function openInvoice(page: Page, number: string): Promise<number> {
    await search(page, number, 1);
    await leaveSearch(page);
    await page.keyboard.press("j");
    await expect(detailTitle(page)).toContainText(number);
    await expect(rows(page).first()).toHaveClass(/o_selected/);
    const id = Number(await detail(page).getAttribute("data-invoice-id"));
    expect(id).toBeGreaterThan(0);
    return id;
}
