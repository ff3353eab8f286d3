import { defineConfig } from "@playwright/test";

// End-to-end tests against a running Odoo: scripts/test starts one on a free port and sets
// FREIGHT_BASE_URL. The browser is Debian's Chromium (never a downloaded one); set
// FREIGHT_CHROMIUM to use another executable.
export default defineConfig({
    testDir: "tests/e2e",
    outputDir: "artifacts/e2e",
    workers: 1,
    fullyParallel: false,
    retries: 0,
    forbidOnly: !!process.env.CI,
    timeout: 90_000,
    expect: { timeout: 20_000 },
    reporter: [["list"]],
    use: {
        baseURL: process.env.FREIGHT_BASE_URL ?? "http://localhost:8069",
        viewport: { width: 1440, height: 1000 },
        screenshot: "only-on-failure",
        trace: "retain-on-failure",
        launchOptions: {
            executablePath: process.env.FREIGHT_CHROMIUM ?? "/usr/bin/chromium",
            args: [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        },
    },
});
