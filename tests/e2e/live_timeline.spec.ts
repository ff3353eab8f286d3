// A carrier feed (the simulator, signed JSON and X12 214) reaches a shipment the dispatcher
// is looking at: the open timeline catches up by itself, in event order.
import { expect, test } from "@playwright/test";
import { OdooClient } from "odoo-xmlrpc-ts";
import { setUpCarrier } from "../sim/odoo_setup";
import { sendFeed } from "../sim/simulator";
import { callKw, fullPageScreenshot, login } from "./odoo";

test("simulated carrier events appear on the dispatcher's open timeline", async ({ page, baseURL }, testInfo) => {
    await login(page, "dispatcher");
    const session = await page.request.post("/web/session/get_session_info", {
        data: { jsonrpc: "2.0", method: "call", id: 1, params: {} },
    });
    const { db } = (await session.json()).result as { db: string };
    const client = new OdooClient({ url: baseURL!, db, username: "admin", password: "admin" });
    const run = `e2e${Date.now().toString(36)}`;
    const target = await setUpCarrier(client, run, 1);
    const shipmentId = target.shipmentIds[0];

    await page.goto(`/web#model=freight.shipment&id=${shipmentId}&view_type=form`);
    // a draft shipment opens on its rate shop: the dispatcher turns to the timeline
    await page.locator(".o_notebook .nav-link", { hasText: "Timeline" }).click();
    await expect(page.locator(".o_freight_timeline_empty")).toBeVisible();

    const feed = await sendFeed({
        baseUrl: baseURL!, apiKey: target.apiKey, secret: target.secret, pros: target.pros,
        format: "mixed", batchSize: 3, partial: false, seed: 11,
        duplicateRate: 0.3, outOfOrderRate: 0.3, malformedRate: 0,
    });
    expect(Object.keys(feed.statuses).every((status) => ["200", "202"].includes(status))).toBeTruthy();

    // 7 distinct events in the journey; duplicates must not show twice
    const entries = page.locator(".o_freight_timeline_entry");
    await expect(entries).toHaveCount(7, { timeout: 45_000 });
    const stored = await callKw<{ code: string }[]>(page, "freight.milestone", "search_read",
        [[["shipment_id", "=", shipmentId]], ["code"]], { order: "event_time asc, id asc" });
    const shown = await entries.evaluateAll((nodes) => nodes.map((n) => (n as HTMLElement).dataset.code));
    expect(shown).toEqual(stored.map((m) => m.code));
    expect(shown.at(-1)).toBe("delivered");
    await expect(page.locator(".o_statusbar_status .o_arrow_button_current")).toHaveText("Delivered");

    const path = testInfo.outputPath("live-timeline.png");
    await fullPageScreenshot(page, path);
    await testInfo.attach("live-timeline", { path, contentType: "image/png" });
});
