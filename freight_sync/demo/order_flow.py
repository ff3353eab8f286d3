"""One demo order carried through the whole flow, so a fresh demo database shows it end to
end: Mountain Tile Co. orders two pallets of tile; the order's transfer becomes a shipment;
the dispatcher rate-shops it and tenders it to the best-value carrier; the carrier accepts
with its rate (the JSON equivalent of a 990); pick-up, delivery and proof of delivery come
in as the carrier's milestones; its invoice is audited against the confirmed rate and a
vendor bill is made; the customer is told of the pick-up and the delivery by email.

Every step goes through the code a real run uses (the inbox for what the carrier sends,
the outbox for the tender); only the carrier's side is played here: the tender is marked
taken by its system, and what the carrier sends is stored as its endpoint would send it.
Dates are set in the past (the tender 5 days ago, the delivery yesterday) so the timeline
reads like a finished trip. Run once by the post_init_hook, with demo data only."""

import json
from datetime import timedelta

from odoo import fields

from ..services import outbox
from ..services.canonical import parse_event_batch
from ..services.inbox import item_digest
from ..services.invoice_payload import parse_invoice_batch
from ..services.signature import body_digest

# hours before now of what happened on the trip
TENDERED, ACCEPTED, PICKED_UP, DELIVERED, POD = 5 * 24, 5 * 24 - 2, 4 * 24 - 3, 26, 22
CARRIER_REF = "DEMO-LOAD-7731"
LINEHAUL = "400"  # the charge code of the linehaul (data/freight_charge_code_data.xml)


def run_demo_order_flow(env):
    customer = env.ref("freight_sync.demo_customer_mountain_tile", raise_if_not_found=False)
    dispatcher = env.ref("freight_sync.user_dispatcher", raise_if_not_found=False)
    if not (customer and dispatcher):
        return
    now = fields.Datetime.now()
    shipment = _shipment_of_order(env, customer, dispatcher, now)
    # the dispatcher's part: rate shop, choose, tender
    as_dispatcher = shipment.with_user(dispatcher)
    quotes = as_dispatcher._rate_shop("best_value")
    reachable = set(env["freight.endpoint"].search([
        ("kind", "=", "carrier"), ("outbound_url", "!=", False)]).carrier_id.ids)
    best = next(q for q in quotes["quotes"] if q["carrier_id"] in reachable)
    as_dispatcher.action_choose_carrier(best["carrier_id"], best)
    tender = as_dispatcher.action_tender().sudo()
    endpoint = tender.endpoint_id
    # the carrier's system took the tender (in a real run: the outbox cron's POST)
    tender.outbound_message_id._record_delivery(
        outbox.DELIVERED, None, 202, '{"status": "received"}')
    # the carrier's answer and its milestones, through the inbox as its endpoint sends them
    linehaul = round(best["amounts"][LINEHAUL], 2)
    _from_carrier(env, endpoint, "events", [_event(shipment, "accepted", now, ACCEPTED, tender={
        "rate": {"amount": linehaul, "currency": quotes["currency"]},
        "service_level": "Standard LTL", "carrier_ref": CARRIER_REF,
        "appointments": [
            {"kind": "pickup", "at": _iso(now - timedelta(hours=PICKED_UP + 1))},
            {"kind": "delivery", "at": _iso(now - timedelta(hours=DELIVERED - 4))}]})])
    # the tender was sent days ago (the demo's trip is over): its times say so too
    sent_at = now - timedelta(hours=TENDERED)
    shipment.milestone_ids.filtered(lambda m: m.code == "tendered").sudo().event_time = sent_at
    tender.outbound_message_id.sudo().sent_at = sent_at
    tender.write({"sent_at": sent_at, "answered_at": now - timedelta(hours=ACCEPTED),
                  "expires_at": sent_at + timedelta(
                      minutes=shipment.company_id.freight_tender_expiry_minutes or 120)})
    _from_carrier(env, endpoint, "events", [
        _event(shipment, "picked_up", now, PICKED_UP, location="San Francisco, CA")])
    _from_carrier(env, endpoint, "events", [
        _event(shipment, "delivered", now, DELIVERED, location="Denver, CO"),
        _event(shipment, "pod_received", now, POD, location="Denver, CO"),
    ])
    _from_carrier(env, endpoint, "invoices", [_invoice(shipment, best["amounts"], now)])


def _shipment_of_order(env, customer, dispatcher, now):
    """The order, confirmed; its delivery made a shipment by the dispatcher (Create
    Shipment: figures from the transfer), with the trip's planned dates."""
    product = env.ref("freight_sync.demo_product_tile_pallet")
    order = env["sale.order"].create({
        "partner_id": customer.id,
        "client_order_ref": "MT-PO-2291",
        "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 2})],
    })
    order.action_confirm()
    shipment = order.picking_ids.freight_shipment_id  # made at confirmation, if automatic
    if not shipment:
        shipment = order.picking_ids.with_user(dispatcher)._freight_create_shipment(
            {"mode": "ltl"}).sudo()
    shipment.write({
        "user_id": dispatcher.id,
        "planned_pickup_date": now - timedelta(hours=PICKED_UP + 2),
        "planned_delivery_date": now - timedelta(hours=DELIVERED - 6),
    })
    return shipment


def _event(shipment, code, now, hours_ago, **extra):
    return {"id": f"demo-flow:{shipment.name}:{code}", "shipment": {"name": shipment.name},
            "code": code, "event_time": _iso(now - timedelta(hours=hours_ago)), **extra}


def _invoice(shipment, amounts, now):
    """The carrier bills what it quoted: each charge of the quote, one line each."""
    reference = {"name": shipment.name}
    lines = [{"line_no": n, "shipment": reference, "charge_code": code, "quantity": 1,
              "rate": round(amount, 2), "amount": round(amount, 2)}
             for n, (code, amount) in enumerate(sorted(amounts.items()), 1)]
    return {
        "id": "demo-flow:DEMO-55120", "number": "DEMO-55120",
        "date": fields.Date.to_string((now - timedelta(hours=POD)).date()),
        "currency": "USD", "total": round(sum(line["amount"] for line in lines), 2),
        "lines": lines,
    }


def _iso(moment):
    return moment.replace(microsecond=0).isoformat() + "Z"


def _from_carrier(env, endpoint, kind, items):
    """Store ``items`` as the endpoint's request to the ``kind`` route would be stored
    (message, raw body, item keys), then process it as the inbox cron does."""
    body = json.dumps({kind: items}).encode()
    parse = parse_event_batch if kind == "events" else parse_invoice_batch
    valid, rejected = parse(json.loads(body))
    if rejected:
        raise ValueError(f"demo {kind} refused: {rejected}")
    keys = [(item["external_id"], item_digest(items[index])) for index, item in valid]
    message, _statuses = env["freight.message"]._store_batch(
        endpoint, kind, body, "application/json", f"sha256:{body_digest(body)}", None,
        len(items), keys)
    message._process()
    # audited as the lane audits what it staged, without the lane's commit in between
    env["freight.invoice"].sudo().search(
        [("message_id", "=", message.id), ("state", "=", "received")])._audit()
    return message
