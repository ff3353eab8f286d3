// Rate shopping on the shipment form (dispatcher: sort by keyboard, choose a carrier) and
// the carrier scorecard (manager: one chart per carrier, the counts behind each figure).
import { expect, test, type Page } from "@playwright/test";
import { callKw, clickMenu, jsonRoute, login, openApp, shot } from "./odoo";

interface Shipment {
    id: number;
    name: string;
}

interface Shop {
    quotes: { carrier_id: number; carrier_name: string; total: number }[];
}

/** The demo shipment still open to a carrier choice with the most quotes (the demo
 * contracts price one carrier per open shipment today). */
async function shoppableShipment(page: Page): Promise<{ shipment: Shipment; shop: Shop }> {
    const shipments = await callKw<Shipment[]>(page, "freight.shipment", "search_read",
        [[["status", "in", ["draft", "tendered", "rejected"]]], ["name"]], { order: "id" });
    let best: { shipment: Shipment; shop: Shop } | null = null;
    for (const shipment of shipments) {
        const answer = await jsonRoute<Shop>(page, "/freight_sync/ui/v1/rate_shop", { shipment_id: shipment.id, sort: "best_value" });
        if (answer.result && answer.result.quotes.length > (best?.shop.quotes.length ?? 0)) {
            best = { shipment, shop: answer.result };
        }
    }
    if (!best) {
        throw new Error("no open demo shipment has a quote");
    }
    return best;
}

test("dispatcher rate-shops a shipment, sorts by keyboard and chooses a carrier", async ({ page }, testInfo) => {
    await login(page, "dispatcher");
    const { shipment, shop } = await shoppableShipment(page);
    await page.goto(`/web#model=freight.shipment&id=${shipment.id}&view_type=form`);
    await page.locator(".o_notebook .nav-link", { hasText: "Rate Shop" }).click();
    const table = page.locator(".o_freight_rate_shop_table");
    await expect(table).toBeVisible();
    const carriers = page.locator(".o_freight_quote_carrier");
    await expect(carriers).toHaveCount(shop.quotes.length);
    await expect(page.locator(".o_freight_quote_suggested")).toHaveCount(1);

    await table.focus();
    await page.keyboard.press("1");
    await expect(page.locator(".o_freight_rate_shop_sorts [data-sort='cost']")).toHaveAttribute("aria-pressed", "true");
    const byCost = [...shop.quotes].sort((a, b) => a.total - b.total).map((q) => q.carrier_name);
    await expect(carriers).toHaveText(byCost);
    await page.keyboard.press("2");
    await expect(page.locator(".o_freight_rate_shop_sorts [data-sort='speed']")).toHaveAttribute("aria-pressed", "true");
    await page.keyboard.press("3");
    await expect(carriers).toHaveText(shop.quotes.map((q) => q.carrier_name));
    await shot(page, testInfo, "rate-shop-dispatcher");

    // the second best value (the only one when alone), chosen by keyboard
    const second = shop.quotes[Math.min(1, shop.quotes.length - 1)]!;
    await page.keyboard.press("ArrowDown");
    await expect(page.locator(".o_freight_quote_selected .o_freight_quote_carrier")).toHaveText(second.carrier_name);
    await page.keyboard.press("Enter");
    await expect(page.locator(".o_notification", { hasText: "chosen" })).toBeVisible();
    await expect(page.locator(".o_field_widget[name='carrier_id'] input")).toHaveValue(second.carrier_name);
    const [saved] = await callKw<{ carrier_id: [number, string]; quoted_total: number }[]>(page, "freight.shipment", "read",
        [[shipment.id], ["carrier_id", "quoted_total"]]);
    expect(saved!.carrier_id[0]).toBe(second.carrier_id);
    expect(saved!.quoted_total).toBeCloseTo(second.total, 2);
    // the panel shops again: the chosen carrier is now the current one
    await expect(page.locator(".o_freight_quote[data-carrier='" + second.carrier_id + "'] .o_freight_quote_current")).toHaveCount(1);
});

test("manager sees the carrier scorecard chart and its counts", async ({ page }, testInfo) => {
    await login(page, "freight_admin");
    await openApp(page, "Freight");
    await clickMenu(page, "Reporting", "Carrier Scorecard");
    const card = page.locator(".o_freight_scorecard_card").first();
    await expect(card).toBeVisible();
    await expect(card.locator("canvas")).toBeVisible();
    // one row per month of the period (6 by default) and the total
    await expect(card.locator(".o_freight_scorecard_row")).toHaveCount(7);
    await expect(card.locator(".o_freight_scorecard_row[data-month='total'] .o_freight_scorecard_ratio").first()).toHaveText(/^\d+ of \d+$/);
    await page.locator(".o_freight_scorecard_months").selectOption("3");
    await expect(page.locator(".o_freight_scorecard_card").first().locator(".o_freight_scorecard_row")).toHaveCount(4);
    // Chart.js grows the lines from the axis: let the animation end before the picture
    await page.waitForTimeout(1500);
    await shot(page, testInfo, "carrier-scorecard-manager");
});
