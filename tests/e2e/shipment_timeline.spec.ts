// The milestone timeline as a dispatcher sees it, checked against the server's own data.
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { callKw, fullPageScreenshot, login, openApp, openMenu } from "./odoo";

interface ShipmentRow {
    id: number;
    name: string;
    milestone_ids: number[];
}
interface MilestoneRow {
    id: number;
    code: string;
    event_time: string;
}

test("dispatcher sees a shipment's milestones in chronological order", async ({ page }, testInfo) => {
    await login(page, "dispatcher");
    await openApp(page, "Freight");
    await openMenu(page, "Operations", "Shipments");
    await expect(page.locator(".o_list_view .o_data_row").first()).toBeVisible();

    // Among the shipments the list shows, take the one with most milestones; prefer one whose
    // milestones were recorded out of time order, so that the widget has to sort them.
    const names = await page.locator(".o_data_row td[name=name]").allInnerTexts();
    const shipments = await callKw<ShipmentRow[]>(page, "freight.shipment", "search_read", [
        [["name", "in", names.map((n) => n.trim())]],
        ["name", "milestone_ids"],
    ]);
    const candidates: { shipment: ShipmentRow; milestones: MilestoneRow[]; shuffled: boolean }[] = [];
    for (const shipment of shipments.filter((s) => s.milestone_ids.length >= 3)) {
        const milestones = await callKw<MilestoneRow[]>(
            page,
            "freight.milestone",
            "search_read",
            [[["shipment_id", "=", shipment.id]], ["code", "event_time"]],
            { order: "event_time asc, id asc" },
        );
        const byId = [...milestones].sort((a, b) => a.id - b.id).map((m) => m.id);
        const shuffled = byId.some((id, index) => id !== milestones[index]?.id);
        candidates.push({ shipment, milestones, shuffled });
    }
    candidates.sort(
        (a, b) => Number(b.shuffled) - Number(a.shuffled) || b.milestones.length - a.milestones.length,
    );
    const chosen = candidates[0];
    expect(chosen, "a demo shipment with 3 or more milestones is listed").toBeDefined();
    if (!chosen) {
        return;
    }
    testInfo.annotations.push({
        type: "shipment",
        description: `${chosen.shipment.name}: ${chosen.milestones.length} milestones${chosen.shuffled ? ", recorded out of order" : ""}`,
    });

    await page.locator(".o_data_row", { hasText: chosen.shipment.name }).first().click();
    await expect(page.locator(".o_form_view")).toBeVisible();
    const timeline = page.locator(".o_freight_timeline");
    await expect(timeline).toBeVisible();
    const entries = timeline.locator(".o_freight_timeline_entry[data-code]");
    await expect(entries).toHaveCount(chosen.milestones.length);
    const shown = await entries.evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-code")));
    expect(shown).toEqual(chosen.milestones.map((m) => m.code));

    const path = join(testInfo.project.outputDir, "shipment-timeline.png");
    await fullPageScreenshot(page, path);
    await testInfo.attach("shipment-timeline", { path, contentType: "image/png" });
});

test("a billing clerk sees the Freight menu", async ({ page }, testInfo) => {
    await login(page, "clerk");
    await page.locator(".o_navbar_apps_menu button").click();
    await expect(page.locator(".o_navbar_apps_menu .o_app", { hasText: "Freight" })).toBeVisible();
    await page.locator(".o_navbar_apps_menu .o_app", { hasText: "Freight" }).click();
    const sections = page.locator(".o_main_navbar .o_menu_sections");
    await expect(sections).toContainText("Operations");
    await expect(sections).toContainText("Billing");
    await expect(sections).not.toContainText("Configuration");

    await openMenu(page, "Billing", "Delivered Shipments");
    await expect(page.locator(".o_view_controller")).toBeVisible();
    await expect(page.locator(".o_error_dialog")).toHaveCount(0);

    const path = join(testInfo.project.outputDir, "clerk-freight-menu.png");
    await fullPageScreenshot(page, path);
    await testInfo.attach("clerk-freight-menu", { path, contentType: "image/png" });
});
