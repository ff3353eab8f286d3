/** @odoo-module **/
// QUnit tests of the invoice upload progress bar, on a mock server, in a real Odoo page.

import { getFixture, nextTick, patchWithCleanup } from "@web/../tests/helpers/utils";
import { makeView, setupViewRegistries } from "@web/../tests/views/helpers";
import { browser } from "@web/core/browser/browser";

const STATES = [["queued", "Queued"], ["running", "Importing"], ["done", "Done"], ["failed", "Failed"]];
const FORM = `<form>
    <field name="state"/><field name="invoice_done"/><field name="invoice_total"/>
    <field name="progress" widget="freight_upload_progress"/>
</form>`;

let serverData;
let target;
let timer;

QUnit.module("freight_sync_web", (hooks) => {
    hooks.beforeEach(() => {
        target = getFixture();
        timer = {};
        patchWithCleanup(browser, {
            setInterval: (handler, ms) => Object.assign(timer, { handler, ms }) && 1,
            clearInterval: () => {},
        });
        serverData = {
            models: {
                "freight.invoice.upload": {
                    fields: {
                        state: { string: "State", type: "selection", selection: STATES },
                        invoice_done: { string: "Processed", type: "integer" },
                        invoice_total: { string: "Total", type: "integer" },
                        progress: { string: "Progress", type: "float" },
                    },
                    records: [{ id: 1, state: "running", invoice_done: 200, invoice_total: 450, progress: 44.4 }],
                },
            },
        };
        setupViewRegistries();
    });

    const open = (mockRPC) => makeView({
        type: "form", resModel: "freight.invoice.upload", resId: 1, serverData, arch: FORM, mockRPC,
    });
    const label = () => target.querySelector(".o_freight_upload_label").textContent;
    const bar = () => target.querySelector(".o_freight_upload_progress .progress-bar");

    QUnit.module("UploadProgress");

    QUnit.test("shows how far the import got", async (assert) => {
        await open();
        assert.strictEqual(label(), "200 of 450 invoices (44 %)");
        assert.strictEqual(bar().style.width, "44%");
        assert.hasClass(bar(), "progress-bar-animated");
    });

    QUnit.test("follows the import every 2 s and stops once it is done", async (assert) => {
        let reads = 0;
        await open((route, args) => {
            if (args.method === "web_read") {
                reads++;
            }
        });
        assert.strictEqual(timer.ms, 2000);
        const record = serverData.models["freight.invoice.upload"].records[0];
        Object.assign(record, { state: "done", invoice_done: 450, progress: 100 });
        const before = reads;
        await timer.handler();
        await nextTick();
        assert.strictEqual(reads, before + 1, "the record was read again");
        assert.strictEqual(label(), "450 invoices processed");
        assert.doesNotHaveClass(bar(), "progress-bar-animated");
        await timer.handler();
        assert.strictEqual(reads, before + 1, "a finished import is not polled");
    });

    QUnit.test("a failed import shows where it stopped", async (assert) => {
        Object.assign(serverData.models["freight.invoice.upload"].records[0], { state: "failed" });
        await open();
        assert.strictEqual(label(), "Stopped after 200 of 450 invoices");
        assert.hasClass(bar(), "bg-danger");
    });
});
