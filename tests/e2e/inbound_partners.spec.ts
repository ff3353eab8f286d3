// Real partners' X12 over the signed /edi route, as a dispatcher and an admin see it:
// a multi-stop 214 (the shipment is delivered at its last stop, the drop on the way is a
// stop on the timeline) and an interchange refused as a whole (the answer says why in
// words, the admin finds it stored "Rejected" with its raw bytes).
import { expect, test } from "@playwright/test";
import { signedHeaders } from "../sim/sign";
import { callKw, login, shot } from "./odoo";

const KEY = "fsk_demo_blue_ridge_do_not_use_in_production";
const SECRET = "demo-signing-secret";

interface Shipment { id: number; name: string; status: string; milestone_ids: number[] }
interface Milestone { code: string; stop: number | false; raw_code: string }
interface Message { id: number; state: string; last_error: string | false; correlation_id: string }

/** One X12 interchange from Blue Ridge (SCAC BRFL) around one 214 set. */
function interchange(control: number, segments: string[][]): string {
    const when = new Date();
    const yymmdd = when.toISOString().slice(2, 10).replace(/-/g, "");
    const isa = ["ISA", "00", " ".repeat(10), "00", " ".repeat(10), "02", "BRFL".padEnd(15), "ZZ",
        "FREIGHTSYNC".padEnd(15), yymmdd, "1200", "U", "00401", String(control).padStart(9, "0"), "0", "P", ">"];
    const set = [["ST", "214", "0001"], ...segments];
    set.push(["SE", String(set.length + 1), "0001"]);
    const lines = [isa, ["GS", "QM", "BRFL", "FREIGHTSYNC", `20${yymmdd}`, "1200", String(control), "X", "004010"],
        ...set, ["GE", "1", String(control)], ["IEA", "1", String(control).padStart(9, "0")]];
    return lines.map((segment) => segment.join("*") + "~\n").join("");
}

function yesterday(hhmm: string): [string, string] {
    const day = new Date(Date.now() - 24 * 3600_000).toISOString().slice(0, 10).replace(/-/g, "");
    return [day, hhmm];
}

test("dispatcher: a three-stop trip is delivered at its last stop, the drop on the way is a stop", async ({ page }, testInfo) => {
    await login(page, "dispatcher");
    const pro = `E2ESTOP${Date.now() % 1_000_000}`;
    const [carrier] = await callKw<{ id: number }[]>(page, "res.partner", "search_read", [[["freight_scac", "=", "BRFL"]], ["id"]]);
    const shipmentId = await callKw<number>(page, "freight.shipment", "create", [{ carrier_id: carrier.id, pro_number: pro, stop_count: 3 }]);

    const [day, at] = yesterday("0600");
    const stop = (code: string, n: number, hhmm: string, city: string) => [
        ["LX", String(n)], ["AT7", code, "NS", "", "", day, hhmm, "CT"], ["MS1", city, "TX", "USA"], ["L11", String(n), "QN"]];
    const body = interchange(Date.now() % 900_000_000, [["B10", pro, pro, "BRFL"],
        ...stop("AF", 1, at, "DALLAS"), ...stop("D1", 2, "1100", "WACO"), ...stop("D1", 3, "1600", "AUSTIN")]);
    const answer = await page.request.post("/freight_sync/v1/edi", { data: body, headers: signedHeaders(body, KEY, SECRET, "application/edi-x12") });
    expect(answer.status(), await answer.text()).toBe(202);
    expect(await answer.text()).toContain("AK5*A~");

    // the processing cron is woken at once
    const shipment = async () => (await callKw<Shipment[]>(page, "freight.shipment", "read", [[shipmentId], ["name", "status", "milestone_ids"]]))[0];
    await expect.poll(async () => (await shipment()).milestone_ids.length, { timeout: 60_000 }).toBe(3);
    expect((await shipment()).status).toBe("delivered");
    const milestones = await callKw<Milestone[]>(page, "freight.milestone", "search_read",
        [[["shipment_id", "=", shipmentId]], ["code", "stop", "raw_code"]], { order: "stop asc" });
    expect(milestones.map((m) => [m.stop, m.code])).toEqual([[1, "picked_up"], [2, "stop_delivered"], [3, "delivered"]]);

    await page.goto(`/web#model=freight.shipment&id=${shipmentId}&view_type=form`);
    const labels = page.locator(".o_freight_timeline_label");
    await expect(labels).toHaveText(["Picked up (stop 1)", "Delivered at a stop (stop 2)", "Delivered (stop 3)"]);
    await expect(page.locator(".o_field_widget[name=stop_count] input")).toHaveValue("3");
    await shot(page, testInfo, "multi-stop-timeline");
});

test("admin: an interchange refused as a whole says why and is kept, rejected, to replay", async ({ page }, testInfo) => {
    await login(page, "freight_admin");
    // the IEA counts two groups where there is one: the envelope does not add up
    const control = (Date.now() + 7) % 900_000_000;
    const good = interchange(control, [["B10", "PRO-NONE", "PRO-NONE", "BRFL"], ["LX", "1"],
        ["AT7", "AF", "NS", "", "", ...yesterday("0800"), "CT"], ["MS1", "DALLAS", "TX", "USA"]]);
    const body = good.replace(/IEA\*1\*/, "IEA*2*");
    const answer = await page.request.post("/freight_sync/v1/edi", { data: body, headers: signedHeaders(body, KEY, SECRET, "application/edi-x12") });
    expect(answer.status()).toBe(400);
    const error = (await answer.json()).error;
    expect(error.code).toBe("malformed_x12");
    expect(error.details.problems.join("\n")).toContain("IEA01 says 2 functional groups");
    expect(error.details.acknowledgment).toContain("*R*021~");

    const [message] = await callKw<Message[]>(page, "freight.message", "read", [[error.details.message_id], ["state", "last_error", "correlation_id"]]);
    expect(message.state).toBe("rejected");
    await page.goto(`/web#model=freight.message&id=${error.details.message_id}&view_type=form`);
    await expect(page.locator(".o_form_view")).toContainText("IEA01 says 2 functional groups");
    await expect(page.locator(".o_form_view .o_statusbar_status")).toContainText("Rejected");
    await shot(page, testInfo, "rejected-interchange");
});
