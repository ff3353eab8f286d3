/** @odoo-module **/
// Counts the QUnit tests that ran, so scripts/test reports them one by one instead of as the
// single HttpCase that drives the browser.

let ran = 0;
let failed = 0;
QUnit.testDone((details) => {
    ran += 1;
    if (details.failed) {
        failed += 1;
    }
});
QUnit.done(() => console.log(`freight_sync_web QUnit: ${ran} tests, ${failed} failed`));
