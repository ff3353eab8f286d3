// Helpers for driving Odoo 17's web client as a person would.
import { join } from "node:path";
import { expect, type Page, type TestInfo } from "@playwright/test";

/** Logs in through Odoo's login form and waits for the web client. */
export async function login(page: Page, user: string, password: string = user): Promise<void> {
    await page.goto("/web/login");
    await page.locator("input[name=login]").fill(user);
    await page.locator("input[name=password]").fill(password);
    await page.locator("form button[type=submit]").click();
    await expect(page.locator(".o_main_navbar")).toBeVisible();
    await expect(page.locator(".o_action_manager")).toBeVisible();
}

/** Calls a model method over JSON-RPC with the page's session: the user's own rights. */
export async function callKw<T>(
    page: Page,
    model: string,
    method: string,
    args: unknown[],
    kwargs: Record<string, unknown> = {},
): Promise<T> {
    const response = await page.request.post(`/web/dataset/call_kw/${model}/${method}`, {
        data: { jsonrpc: "2.0", method: "call", id: 1, params: { model, method, args, kwargs } },
    });
    expect(response.ok()).toBeTruthy();
    const body = (await response.json()) as { result?: T; error?: unknown };
    if (body.error !== undefined) {
        throw new Error(`${model}.${method}: ${JSON.stringify(body.error)}`);
    }
    return body.result as T;
}

/** Opens an app from the apps menu (top left), by its name. */
export async function openApp(page: Page, name: string): Promise<void> {
    await page.locator(".o_navbar_apps_menu button").click();
    await page.locator(".o_navbar_apps_menu .o_app", { hasText: name }).click();
    await expect(page.locator(".o_main_navbar .o_menu_brand")).toHaveText(name);
}

/** Clicks a menu item of the current app: a top section, then an entry of its dropdown. */
export async function clickMenu(page: Page, section: string, item: string): Promise<void> {
    await page.locator(".o_menu_sections button", { hasText: section }).click();
    const escaped = item.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    await page.locator(".o_menu_sections .dropdown-item", { hasText: new RegExp(`^\\s*${escaped}\\s*$`) }).click();
}

/** Opens a menu item whose action fills the page (its name shows in the breadcrumb). */
export async function openMenu(page: Page, section: string, item: string): Promise<void> {
    await clickMenu(page, section, item);
    await expect(page.locator(".o_breadcrumb")).toContainText(item);
}

/**
 * Screenshot of the whole page. Odoo scrolls inside .o_content, not the document, so the
 * viewport is first made as tall as that content (at most 4000 px).
 */
export async function fullPageScreenshot(page: Page, path: string): Promise<void> {
    const viewport = page.viewportSize() ?? { width: 1440, height: 1000 };
    const extra = await page.evaluate(() => {
        const content = document.querySelector(".o_action_manager .o_content");
        return content ? content.scrollHeight - content.clientHeight : 0;
    });
    if (extra > 0) {
        await page.setViewportSize({ width: viewport.width, height: Math.min(4000, viewport.height + extra) });
    }
    await page.screenshot({ path, fullPage: true });
    await page.setViewportSize(viewport);
}

/**
 * Screenshot (whole page, as fullPageScreenshot) into the test's output folder
 * (artifacts/e2e/<name>.png), attached to the report.
 */
export async function shot(page: Page, testInfo: TestInfo, name: string): Promise<string> {
    const path = join(testInfo.project.outputDir, `${name}.png`);
    await fullPageScreenshot(page, path);
    await testInfo.attach(name, { path, contentType: "image/png" });
    return path;
}

/**
 * Posts to a JSON route (type="json") with the page's session, as the web client's rpc
 * does, and returns Odoo's answer as it is: `result`, or `error` with `data.message`.
 */
export async function jsonRoute<T>(
    page: Page,
    route: string,
    params: Record<string, unknown> = {},
): Promise<{ result?: T; error?: { message: string; data?: { name?: string; message?: string } } }> {
    const response = await page.request.post(route, {
        data: { jsonrpc: "2.0", method: "call", id: 1, params },
    });
    expect(response.ok()).toBeTruthy();
    return (await response.json()) as { result?: T; error?: { message: string; data?: { name?: string; message?: string } } };
}
