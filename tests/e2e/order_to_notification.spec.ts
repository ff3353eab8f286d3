// The outbound half end to end: a dispatcher confirms a sale order, its shipment appears,
// she rate-shops it with the panel and tenders it; a fake carrier (a real HTTP server on
// loopback) checks our signature, accepts with its rate through our signed route, then
// reports pick-up and delivery; the timeline shows it, and a fake customer system
// receives the signed "delivered" webhook once.
import { expect, test } from "@playwright/test";
import { OdooClient } from "odoo-xmlrpc-ts";
import { signedHeaders } from "../sim/sign";
import { FakePartner, type Received } from "./fake_partner";
import { callKw, login, shot } from "./odoo";

const CONFIRMED_RATE = 412.5;

test("order to customer notification: confirm, rate-shop, tender, accept, deliver, notify", async ({ page, baseURL }, testInfo) => {
    test.setTimeout(180_000);
    const run = `o2n${Date.now().toString(36)}`;
    await login(page, "dispatcher");
    const session = await page.request.post("/web/session/get_session_info", {
        data: { jsonrpc: "2.0", method: "call", id: 1, params: {} },
    });
    const { db, uid: dispatcherId } = (await session.json()).result as { db: string; uid: number };
    const admin = new OdooClient({ url: baseURL!, db, username: "admin", password: "admin" });
    await admin.authenticate();
    const ref = async (module: string, name: string) =>
        (await admin.execute<[string, number]>("ir.model.data", "check_object_reference", [module, name]))[1];

    // the carrier's system: answers each tender by accepting it through our signed route
    const carrierSecret = `carrier-secret-${run}`;
    let carrierKey = "";
    const post = async (events: object[]) => {
        const body = JSON.stringify({ events });
        const answer = await fetch(`${baseURL}/freight_sync/v1/events`, {
            method: "POST", body, headers: signedHeaders(body, carrierKey, carrierSecret, "application/json"),
        });
        expect([200, 202]).toContain(answer.status);
    };
    const carrier = new FakePartner(carrierSecret, (request: Received) => {
        const { tender } = JSON.parse(request.body) as { tender: { shipment_id: string } };
        setTimeout(() => void post([{
            id: `${run}-accept`, shipment: { name: tender.shipment_id }, code: "accepted",
            event_time: new Date().toISOString(),
            tender: { rate: { amount: CONFIRMED_RATE, currency: "USD" }, service_level: "Standard", carrier_ref: `REF-${run}` },
        }]), 200);
    });
    const customerSecret = `customer-secret-${run}`;
    const customer = new FakePartner(customerSecret);
    const carrierUrl = await carrier.start();
    const customerUrl = await customer.start();
    const companyId = await ref("base", "main_company");
    const [{ freight_shipment_creation: creationBefore }] = await admin.read<{ freight_shipment_creation: string }>(
        "res.company", [companyId], ["freight_shipment_creation"]);
    try {
        // set-up as the administrator: a carrier with a contract and an endpoint, a customer
        // subscribed to deliveries by webhook, shipments made on order confirmation
        const carrierId = await admin.create("res.partner", {
            name: `E2E Carrier ${run}`, is_company: true, is_freight_carrier: true,
            // a 204 names the carrier by its SCAC (2-4 letters)
            freight_scac: Array.from({ length: 4 }, () => String.fromCharCode(65 + Math.floor(Math.random() * 26))).join(""),
        });
        await admin.create("freight.rate.contract", {
            name: `E2E contract ${run}`, carrier_id: carrierId, currency_id: await ref("base", "USD"),
            date_start: `${new Date().getFullYear()}-01-01`,
            line_ids: [[0, 0, { origin_country_id: await ref("base", "us"), destination_country_id: await ref("base", "us"),
                mode: "ltl", basis: "per_kg", rate: 0.45, minimum: 120, transit_days: 2 }]],
        });
        const robotId = await admin.create("res.users", {
            name: `E2E carrier robot ${run}`, login: `robot_${run}`,
            groups_id: [[6, 0, [await ref("base", "group_user"), await ref("freight_sync", "group_freight_integration")]]],
        });
        const endpointId = await admin.create("freight.endpoint", {
            name: `E2E carrier ${run}`, kind: "carrier", carrier_id: carrierId, user_id: robotId,
            hmac_secret: carrierSecret, outbound_url: `${carrierUrl}/tenders`, tender_format: "json",
        });
        // the key is shown once, in the answer's context; no record keeps it
        const action = await admin.execute<{ context: { freight_issued_api_key: string } }>("freight.endpoint", "action_rotate_api_key", [[endpointId]]);
        carrierKey = action.context.freight_issued_api_key;
        const customerId = await admin.create("res.partner", {
            name: `E2E Customer ${run}`, is_company: true, street: "1 Larimer St", city: "Denver", zip: "80202",
            state_id: await ref("base", "state_us_6"), country_id: await ref("base", "us"),
        });
        const customerEndpointId = await admin.create("freight.endpoint", {
            name: `E2E customer ${run}`, kind: "customer", user_id: robotId,
            hmac_secret: customerSecret, outbound_url: `${customerUrl}/status`,
        });
        await admin.create("freight.subscription", {
            partner_id: customerId, notify_picked_up: false, notify_delivered: true,
            send_webhook: true, endpoint_id: customerEndpointId,
        });
        await admin.write("res.company", [companyId], { freight_shipment_creation: "auto" });
        const orderId = await admin.create("sale.order", {
            partner_id: customerId, user_id: dispatcherId,
            order_line: [[0, 0, { product_id: await ref("freight_sync", "demo_product_tile_pallet"), product_uom_qty: 1 }]],
        });

        // the dispatcher confirms the order: its shipment appears
        await page.goto(`/web#model=sale.order&id=${orderId}&view_type=form`);
        await page.locator(".o_form_view button[name='action_confirm']:visible").first().click();
        const shipmentsButton = page.locator("button[name='action_view_freight_shipments']");
        await expect(shipmentsButton).toBeVisible();
        await shot(page, testInfo, "order-confirmed");
        await shipmentsButton.click();
        await expect(page.locator(".o_breadcrumb .active")).toContainText("SHP/");
        const [shipment] = await callKw<{ id: number; name: string }[]>(page, "freight.shipment", "search_read",
            [[["picking_ids.sale_id", "=", orderId]], ["name"]]);
        expect(shipment).toBeTruthy();

        // rate shop with the panel, then choose and tender to the e2e carrier
        await page.locator(".o_notebook .nav-link", { hasText: "Rate Shop" }).click();
        const row = page.locator(`.o_freight_quote[data-carrier='${carrierId}']`);
        await expect(row).toBeVisible();
        await shot(page, testInfo, "rate-shop");
        await row.locator(".o_freight_quote_tender").click();

        // the carrier receives the signed tender and accepts it
        const tenderRequest = await carrier.waitFor((r) => r.path === "/tenders", 60_000);
        expect(JSON.parse(tenderRequest.body).tender.shipment_id).toBe(shipment!.name);
        await expect.poll(async () => {
            const [s] = await callKw<{ tender_state: string; confirmed_rate: number }[]>(page, "freight.shipment", "read",
                [[shipment!.id], ["tender_state", "confirmed_rate"]]);
            return [s!.tender_state, s!.confirmed_rate];
        }, { timeout: 60_000 }).toEqual(["accepted", CONFIRMED_RATE]);

        // the carrier reports the trip; the open timeline catches up
        await page.locator(".o_notebook .nav-link", { hasText: "Timeline" }).click();
        await post([
            // a quick trip: seconds after the acceptance (within the server's clock tolerance)
            { id: `${run}-pickup`, shipment: { name: shipment!.name }, code: "picked_up", event_time: new Date(Date.now() + 1000).toISOString() },
            { id: `${run}-delivered`, shipment: { name: shipment!.name }, code: "delivered", event_time: new Date(Date.now() + 2000).toISOString() },
        ]);
        for (const code of ["tendered", "accepted", "picked_up", "delivered"]) {
            await expect(page.locator(`.o_freight_timeline_entry[data-code='${code}']`)).toHaveCount(1, { timeout: 60_000 });
        }
        const shown = await page.locator(".o_freight_timeline_entry").evaluateAll(
            (nodes) => nodes.map((n) => (n as HTMLElement).dataset.code));
        expect(shown.filter((code) => code !== "notified")).toEqual(["tendered", "accepted", "picked_up", "delivered"]);
        // and the customer's notice, once it was sent
        await expect(page.locator(".o_freight_timeline_entry[data-code='notified']")).toHaveCount(1, { timeout: 30_000 });
        await expect(page.locator(".o_freight_timeline_entry[data-code='notified']")).toContainText("told of Delivered");
        await shot(page, testInfo, "timeline-delivered");

        // the customer's system got the delivered notification, signed, once
        const notice = await customer.waitFor((r) => r.path === "/status", 60_000);
        const body = JSON.parse(notice.body) as { event: string; shipment: { name: string } };
        expect([body.event, body.shipment.name]).toEqual(["delivered", shipment!.name]);
        expect(customer.received.filter((r) => r.path === "/status")).toHaveLength(1);
        expect(carrier.received.every((r) => r.refusal === null)).toBeTruthy();
    } finally {
        await admin.write("res.company", [companyId], { freight_shipment_creation: creationBefore });
        await carrier.stop();
        await customer.stop();
    }
});
