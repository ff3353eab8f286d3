import json
from unittest.mock import patch

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .invoice_common import ContractCase

URL = "/freight_sync/v1/invoices"


@tagged("freight_sync", "post_install", "-at_install")
class TestInvoiceRoute(ContractCase, HttpCase):
    """The JSON route, then the cron: staged, audited, billed."""

    def post(self, document):
        body = json.dumps(document).encode()
        response = self.url_open(URL, data=body, timeout=30, headers=self.signed_headers(body))
        return response.status_code, response.json()

    def test_invoice_is_received_audited_and_billed(self):
        document = {"invoices": [{
            "number": "WEB-1", "date": "2024-07-12", "currency": "USD", "total": 600.0,
            "shipment": {"pro_number": "PRO-100"},
            "lines": [{"charge_code": "400", "amount": 500.0},
                      {"charge_code": "405", "amount": 100.0}]}]}
        status, payload = self.post(document)
        self.assertEqual((status, payload["accepted"]), (202, 1), payload)
        self.assertEqual(self.post(document)[0], 200)
        self.env["freight.message"]._cron_process_inbox(time_budget=30)
        invoice = self.env["freight.invoice"].search([("name", "=", "WEB-1")])
        self.assertEqual(invoice.state, "approved")
        self.assertEqual(invoice.move_id.amount_total, 600.0)
        self.assertEqual(invoice.message_id.id, payload["message_id"])

    def test_an_invoice_that_cannot_be_staged_fails_alone(self):
        def invoice(number):
            return {"number": number, "date": "2024-07-12", "currency": "USD", "total": 500.0,
                    "shipment": {"pro_number": "PRO-100"},
                    "lines": [{"charge_code": "400", "amount": 500.0}]}
        status, payload = self.post({"invoices": [invoice("ONE-1"), invoice("TWO-2")]})
        self.assertEqual((status, payload["accepted"]), (202, 2), payload)
        Invoice = type(self.env["freight.invoice"])
        stage = Invoice._stage

        def broken(records, invoices, *args, **kwargs):
            if invoices[0]["number"] == "TWO-2":
                raise ValueError("the ledger is closed for TWO-2")
            return stage(records, invoices, *args, **kwargs)

        with patch.object(Invoice, "_stage", broken), \
                mute_logger("odoo.addons.freight_sync.models.freight_message"):
            self.env["freight.message"]._cron_process_inbox(time_budget=30)
        message = self.env["freight.message"].browse(payload["message_id"])
        self.assertEqual(message.state, "partial")
        self.assertEqual(self.env["freight.invoice"].search(
            [("name", "in", ("ONE-1", "TWO-2"))]).mapped("name"), ["ONE-1"])
        outcomes = {item.state: item.error for item in message.item_ids}
        self.assertEqual(set(outcomes), {"applied", "failed"})
        self.assertIn("the ledger is closed for TWO-2", outcomes["failed"])
        message.next_attempt_at = False
        self.env["freight.message"]._cron_process_inbox(time_budget=30)
        self.assertEqual(message.state, "done", message.last_error)
        self.assertEqual(len(self.env["freight.invoice"].search(
            [("name", "in", ("ONE-1", "TWO-2"))])), 2)

    def test_bad_invoice_is_refused_with_a_pointer(self):
        status, payload = self.post({"invoices": [{"number": "X", "date": "2024-07-12",
                                                   "currency": "USD", "total": 1,
                                                   "lines": [{"amount": 1}]}]})
        self.assertEqual(status, 422)
        self.assertEqual(payload["error"]["details"]["items"][0]["pointer"],
                         "/invoices/0/lines/0/shipment")
        self.assertFalse(self.env["freight.invoice"].search([("name", "=", "X")]))

    def test_an_invoice_naming_another_carrier_is_refused(self):
        def invoice(number, scac):
            return {"number": number, "date": "2024-07-12", "currency": "USD", "total": 500.0,
                    "scac": scac, "shipment": {"pro_number": "PRO-100"},
                    "lines": [{"charge_code": "400", "amount": 500.0}]}
        status, payload = self.post({"invoices": [invoice("OTHER-1", "ABCD")]})
        self.assertEqual(status, 422, payload)
        refused = payload["error"]["details"]["items"][0]
        self.assertEqual(refused["pointer"], "/invoices/0/scac")
        self.assertIn("not this endpoint's carrier (TSTC)", refused["error"])
        # in a batch, the carrier's own invoice goes on and the other is named
        status, payload = self.post({"invoices": [invoice("OWN-1", "tstc"),
                                                  invoice("OTHER-2", "ABCD")]})
        self.assertEqual((status, payload["accepted"], payload["rejected"]), (202, 1, 1))
        self.assertEqual(payload["items"][1]["pointer"], "/invoices/1/scac")
        self.env["freight.message"]._cron_process_inbox(time_budget=30)
        self.assertEqual(self.env["freight.invoice"].search(
            [("name", "in", ("OWN-1", "OTHER-1", "OTHER-2"))]).mapped("name"), ["OWN-1"])

    def test_staging_refuses_another_carriers_invoice_whatever_the_channel(self):
        # a 210, a clerk's CSV or a replay stage through here with the sender's carrier
        other = dict(self.canonical(number="OTHER-210"), scac="ABCD")
        staged, errors = self.env["freight.invoice"]._stage(
            [other, self.canonical(number="OWN-210")], self.env.company, self.carrier)
        self.assertEqual(staged.mapped("name"), ["OWN-210"])
        self.assertEqual(errors, ["invoice OTHER-210: SCAC ABCD is not Test Carrier's (TSTC)"])


@tagged("freight_sync", "post_install", "-at_install")
class TestInvoiceEdi(ContractCase, HttpCase):
    def test_210_is_acknowledged_staged_and_audited(self):
        from pathlib import Path
        body = (Path(__file__).parent / "fixtures" / "x12" /
                "210_fuel_and_accessorials.edi").read_bytes().replace(b"BRFL", b"TSTC")
        headers = {**self.signed_headers(body), "Content-Type": "application/edi-x12"}
        response = self.url_open("/freight_sync/v1/edi", data=body, headers=headers, timeout=30)
        self.assertEqual(response.status_code, 202, response.text)
        self.assertIn("AK9*A*1*1*1~", response.text)
        self.env["freight.message"]._cron_process_inbox(time_budget=30)
        invoice = self.env["freight.invoice"].search([("name", "=", "BR-1002")])
        self.assertEqual((invoice.amount_total, invoice.correction), (805.0, "original"))
        # the tariff has no RES, so the invoice waits with a case for it
        self.assertEqual(invoice.state, "exception")
        self.assertIn("unapproved_accessorial", invoice.exception_ids.mapped("exception_type"))
        again = self.url_open("/freight_sync/v1/edi", data=body, timeout=30,
                              headers={**self.signed_headers(body),
                                       "Content-Type": "application/edi-x12"})
        self.assertEqual(again.status_code, 200)
        self.assertEqual(self.env["freight.invoice"].search_count([("name", "=", "BR-1002")]), 1)


@tagged("freight_sync", "post_install", "-at_install")
class TestInvoiceReplayAndCurrency(ContractCase):
    def receive(self, document):
        body = json.dumps(document).encode()
        from ..services.invoice_payload import parse_invoice_batch
        valid, _errors = parse_invoice_batch(document)
        message = self.env["freight.message"]._store_inbound(
            self.endpoint, "invoices", body, "application/json", f"k-{hash(body)}", None,
            len(valid))
        self.env["freight.message.event"]._record_keys(
            self.endpoint, message, [(inv["external_id"], "d") for _i, inv in valid])
        self.env["freight.message"]._cron_process_inbox(time_budget=30)
        return message

    @staticmethod
    def document(number, currency="USD", amounts=(500.0, 100.0)):
        return {"invoices": [{
            "number": number, "date": "2024-07-12", "currency": currency,
            "total": sum(amounts), "shipment": {"pro_number": "PRO-100"},
            "lines": [{"charge_code": code, "amount": amount}
                      for code, amount in zip(("400", "405"), amounts)]}]}

    def test_replaying_an_invoice_message_never_bills_twice(self):
        message = self.receive(self.document("REPLAY-1"))
        invoice = self.env["freight.invoice"].search([("name", "=", "REPLAY-1")])
        self.assertEqual((message.state, invoice.state), ("done", "approved"))
        message.action_replay()
        self.env["freight.message"]._cron_process_inbox(time_budget=30)
        self.assertEqual(message.state, "done")
        self.assertEqual(self.env["freight.invoice"].search_count(
            [("name", "=", "REPLAY-1")]), 1)
        self.assertEqual(self.env["account.move"].search_count(
            [("freight_invoice_id", "=", invoice.id)]), 1)

    def test_invoice_in_another_currency(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.env["res.currency.rate"].create(
            {"currency_id": eur.id, "name": "2024-01-01", "rate": 0.9})
        self.receive(self.document("EUR-1", "EUR"))
        mismatch = self.env["freight.invoice"].search([("name", "=", "EUR-1")])
        self.assertEqual(mismatch.exception_ids.exception_type, "currency_mismatch")
        # the clerk rejects it; the carrier's contract was in fact renegotiated in euros
        self.env["freight.invoice.resolve"].create({
            "invoice_id": mismatch.id, "resolution": "reject",
            "reason": "Contract moves to EUR"}).action_confirm()
        self.env["freight.rate.contract"].search([("carrier_id", "=", self.carrier.id)]).write(
            {"currency_id": eur.id})
        self.receive(self.document("EUR-2", "EUR"))
        invoice = self.env["freight.invoice"].search([("name", "=", "EUR-2")])
        self.assertEqual(invoice.state, "approved")
        self.assertEqual((invoice.move_id.currency_id, invoice.move_id.amount_total),
                         (eur, 600.0))
        self.assertAlmostEqual(invoice.move_id.amount_total_signed, -600.0 / 0.9, places=2)
