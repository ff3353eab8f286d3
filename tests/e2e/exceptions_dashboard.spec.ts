// The exception board per role (record rules split operational and billing cases), the
// freight dashboard with its drill-downs, and the tolerance "what if" preview in Settings.
import { join } from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { callKw, clickMenu, login, openApp, openMenu, shot } from "./odoo";

const OPERATIONAL_TYPES = ["Delivery exception", "Late delivery", "Damage"];
const BILLING_TYPES = [
    "Rate variance", "Unknown shipment", "Duplicate invoice", "Missing proof of delivery",
    "Unapproved accessorial", "Weight variance", "Currency mismatch", "Processing error",
];

interface CaseRow {
    id: number;
    name: string;
    category: string;
    exception_type: string;
    user_id: [number, string] | false;
}

const cards = (page: Page) => page.locator(".o_kanban_view .o_kanban_record:not(.o_kanban_ghost)");

async function openBoard(page: Page, section: "Operations" | "Billing"): Promise<void> {
    await openApp(page, "Freight");
    await openMenu(page, section, "Exceptions");
    await expect(page.locator(".o_kanban_view")).toBeVisible();
    await expect(page.locator(".o_kanban_renderer .o_kanban_group").first()).toBeVisible();
}

test("dispatcher's exception board holds operational cases only", async ({ page }, testInfo) => {
    await login(page, "dispatcher");
    await openBoard(page, "Operations");

    // what the server lets the dispatcher read, then what the board shows of it
    const visible = await callKw<CaseRow[]>(page, "freight.exception", "search_read",
        [[], ["name", "category", "exception_type", "user_id"]]);
    expect(visible.length, "demo data has operational cases").toBeGreaterThan(0);
    expect(new Set(visible.map((c) => c.category))).toEqual(new Set(["operations"]));

    await expect(page.locator(".o_view_sample_data")).toHaveCount(0);
    await expect(cards(page).first()).toBeVisible();
    const texts = await cards(page).allInnerTexts();
    for (const text of texts) {
        expect(OPERATIONAL_TYPES.some((type) => text.includes(type)), `operational card: ${text}`).toBeTruthy();
        for (const billing of BILLING_TYPES) {
            expect(text, "no billing case on the dispatcher's board").not.toContain(billing);
        }
        await expect(cards(page).filter({ hasText: text.split("\n")[0] ?? "" }).first().locator(".o_freight_aging")).toBeVisible();
    }
    testInfo.annotations.push({ type: "dispatcher cards", description: String(texts.length) });
    await shot(page, testInfo, "exceptions-dispatcher");
});

test("clerk's exception board holds billing cases; assign to me takes one", async ({ page }, testInfo) => {
    await login(page, "clerk");
    await openBoard(page, "Billing");

    const visible = await callKw<CaseRow[]>(page, "freight.exception", "search_read",
        [[], ["name", "category", "exception_type", "user_id"]]);
    expect(new Set(visible.map((c) => c.category))).toEqual(new Set(["billing"]));

    const rateVariance = cards(page).filter({ hasText: "Rate variance" });
    await expect(rateVariance.first()).toBeVisible();
    for (const operational of OPERATIONAL_TYPES) {
        await expect(cards(page).filter({ hasText: operational })).toHaveCount(0);
    }

    // a rate variance case of a demo invoice that is not the clerk's yet
    const card = rateVariance.filter({ hasText: "BR-901" }).filter({ has: page.locator(".o_freight_quick_assign_to_me") }).first();
    await expect(card).toBeVisible();
    const title = (await card.locator(".o_kanban_record_title").innerText()).trim();
    testInfo.annotations.push({ type: "assigned case", description: title });
    const sameCard = cards(page).filter({ has: page.locator(".o_kanban_record_title", { hasText: title }) }).first();
    await card.locator(".o_freight_quick_assign_to_me").click();
    await expect(sameCard.locator(".o_freight_quick_assign_to_me")).toHaveCount(0);
    await expect(sameCard.locator("img.o_freight_assignee")).toHaveAttribute("alt", "Carl Clerk");
    const [mine] = await callKw<CaseRow[]>(page, "freight.exception", "search_read",
        [[["name", "=", title]], ["user_id"]]);
    expect(mine?.user_id && mine.user_id[1]).toBe("Carl Clerk");
    // the board as the clerk sees it (the whole column is thousands of pixels tall)
    const path = join(testInfo.project.outputDir, "exceptions-clerk.png");
    await page.screenshot({ path });
    await testInfo.attach("exceptions-clerk", { path, contentType: "image/png" });
});

test("admin: dashboard KPI cards and charts drill down to the records", async ({ page }, testInfo) => {
    await login(page, "freight_admin");
    await openApp(page, "Freight");
    // a client action without a control panel: no breadcrumb to wait for
    await clickMenu(page, "Reporting", "Dashboard");
    const kpis = page.locator(".o_freight_dashboard .o_freight_kpi");
    await expect(kpis.first()).toBeVisible();
    expect(await kpis.count()).toBeGreaterThanOrEqual(3);
    for (const value of await kpis.locator(".o_freight_kpi_value").allInnerTexts()) {
        expect(value.trim()).not.toBe("");
    }
    const charts = page.locator(".o_freight_dashboard .o_freight_chart canvas");
    await expect(charts.first()).toBeVisible();
    // Chart.js has drawn: the canvas is not blank
    await expect(async () => {
        const drawn = await charts.first().evaluate((canvas: HTMLCanvasElement) => {
            const ctx = canvas.getContext("2d");
            if (!ctx || !canvas.width || !canvas.height) return false;
            const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 3; i < pixels.length; i += 4) {
                if ((pixels[i] ?? 0) > 0) return true;
            }
            return false;
        });
        expect(drawn).toBeTruthy();
    }).toPass();
    testInfo.annotations.push({
        type: "KPI cards",
        description: (await kpis.allInnerTexts()).map((t) => t.replace(/\s+/g, " ").trim()).join(" | "),
    });
    // the dashboard scrolls inside itself (no .o_content): make the viewport as tall as it
    const viewport = page.viewportSize() ?? { width: 1440, height: 1000 };
    const extra = await page.locator(".o_freight_dashboard").evaluate((el) => el.scrollHeight - el.clientHeight);
    await page.setViewportSize({ width: viewport.width, height: Math.min(4000, viewport.height + Math.max(0, extra)) });
    await page.waitForTimeout(1200); // Chart.js redraws at the new size, with its animation
    await shot(page, testInfo, "dashboard");
    await page.setViewportSize(viewport);

    // a KPI card opens what it counts
    const auto = page.locator(".o_freight_kpi[data-kpi=auto_approval_rate]");
    const drillName = (await auto.getAttribute("title")) ?? "";
    await auto.click();
    await expect(page.locator(".o_list_view")).toBeVisible();
    if (drillName) {
        await expect(page.locator(".o_breadcrumb")).toContainText(drillName);
    }
    await expect(page.locator(".o_list_view .o_data_row").first()).toBeVisible();
    await shot(page, testInfo, "dashboard-drill-kpi");

    // back, then a bar of the first chart with data opens its records too
    await page.locator(".o_breadcrumb .breadcrumb-item a").first().click();
    await expect(charts.first()).toBeVisible();
    // Chart.js animates the bars in: read their place once it has finished
    const point = await page.evaluate(async () => {
        type ChartElement = { getCenterPoint(): { x: number; y: number } };
        type ChartLike = {
            config: { type: string };
            animating?: boolean;
            data: { datasets: { data: (number | null)[] }[] };
            getDatasetMeta(i: number): { data: ChartElement[] };
        };
        const Chart = (window as unknown as { Chart?: { getChart(c: HTMLCanvasElement): ChartLike | undefined } }).Chart;
        await new Promise((resolve) => setTimeout(resolve, 1500));
        const found: { x: number; y: number; key: string; bar: boolean }[] = [];
        for (const canvas of document.querySelectorAll<HTMLCanvasElement>(".o_freight_chart canvas")) {
            const chart = Chart?.getChart(canvas);
            if (!chart) continue;
            for (let d = 0; d < chart.data.datasets.length; d++) {
                const values = chart.data.datasets[d]?.data ?? [];
                const index = values.findIndex((v) => typeof v === "number" && v > 0);
                const element = index >= 0 ? chart.getDatasetMeta(d).data[index] : undefined;
                if (element) {
                    const box = canvas.getBoundingClientRect();
                    const center = element.getCenterPoint();
                    const key = canvas.closest(".o_freight_chart")?.getAttribute("data-chart") ?? "";
                    found.push({ x: box.left + center.x, y: box.top + center.y, key, bar: chart.config.type === "bar" });
                }
            }
        }
        return found.find((p) => p.bar) ?? found[0] ?? null;
    });
    expect(point, "a chart with a non-zero bar or point").not.toBeNull();
    if (point) {
        testInfo.annotations.push({ type: "chart clicked", description: point.key });
        await page.mouse.click(point.x, point.y);
        await expect(page.locator(".o_list_view")).toBeVisible();
        await expect(page.locator(".o_freight_dashboard")).toHaveCount(0);
        await shot(page, testInfo, "dashboard-drill-chart");
    }
});

test("admin changes a tolerance in Settings and the what-if numbers follow", async ({ page }, testInfo) => {
    await login(page, "freight_admin");
    await openApp(page, "Freight");
    await clickMenu(page, "Configuration", "Settings");
    const whatif = page.locator(".o_freight_whatif [name=freight_whatif_summary]");
    await expect(whatif).toBeVisible();
    await expect(whatif).toContainText("would have been approved automatically");
    const before = (await whatif.innerText()).trim();
    const approvedOf = (text: string) => {
        const match = /(\d+) of the last (\d+) invoices/.exec(text);
        return match ? { ok: Number(match[1]), of: Number(match[2]) } : null;
    };
    const start = approvedOf(before);
    expect(start, before).not.toBeNull();

    // no tolerance at all: the demo invoices billed a few dollars over are no longer approved
    const percent = page.locator(".o_field_widget[name=freight_tolerance_percent] input");
    await percent.fill("0");
    await percent.press("Tab");
    const amount = page.locator(".o_field_widget[name=freight_tolerance_amount] input");
    await amount.fill("0");
    await amount.press("Tab");
    await expect(whatif).not.toHaveText(before);
    const strict = approvedOf((await whatif.innerText()).trim());
    expect(strict?.of).toBe(start?.of);
    expect(strict?.ok ?? 0).toBeLessThan(start?.ok ?? 0);

    // generous: 25 % or 1,000, the greater; everything billed within that passes
    await percent.fill("25");
    await percent.press("Tab");
    await amount.fill("1000");
    await amount.press("Tab");
    await page.locator(".o_field_widget[name=freight_tolerance_combine] select").selectOption({ label: "Greater of the two" });
    await expect(async () => {
        const generous = approvedOf((await whatif.innerText()).trim());
        expect(generous?.ok ?? 0).toBeGreaterThan(strict?.ok ?? 0);
    }).toPass();
    const after = (await whatif.innerText()).trim();
    testInfo.annotations.push({ type: "what if", description: `${before} → ${after}` });
    await whatif.scrollIntoViewIfNeeded();
    await page.locator(".o_freight_whatif").evaluate((el) => el.closest(".o_setting_box, .o_settings_container, .app_settings_block")?.scrollIntoView({ block: "center" }));
    const path = join(testInfo.project.outputDir, "settings-whatif.png");
    await page.screenshot({ path });
    await testInfo.attach("settings-whatif", { path, contentType: "image/png" });

    // not saved: the demo database keeps its tolerance for the tests that follow
    await page.locator(".o_control_panel button", { hasText: "Discard" }).click().catch(() => undefined);
});
