import threading
from pathlib import Path

from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from ..services.invoice_csv_rows import parse_rows, suggest_mapping
from ..services.invoice_payload import parse_invoice
from ..services.x12 import parse
from ..services.x12_invoice import map_210
from .common import committed_env

SCAC = "RCEX"
FIXTURE = Path(__file__).parent / "fixtures" / "x12" / "210_single_line.edi"


def documents():
    """BR-1001 for 500.00 on PRO100, as a carrier's 210 (with its SCAC), as JSON without
    a SCAC and as a clerk's CSV: three channels, one invoice."""
    interchange = parse(FIXTURE.read_text().replace("BRFL", SCAC))
    edi, _errors = map_210(interchange.groups[0].sets[0])
    json = parse_invoice({"number": "BR-1001", "date": "2024-07-12", "currency": "USD",
                          "total": 500.0, "shipment": {"pro_number": "PRO100"},
                          "lines": [{"charge_code": "400", "amount": 500.0}]}, "")
    text = "Invoice,Date,Currency,PRO,Charge,Amount\nBR1001,2024-07-12,USD,PRO100,400,500\n"
    csv, _errors = parse_rows(text, suggest_mapping(text.splitlines()[0].split(",")))
    return {"210": edi, "json": json, "csv": csv[0]}


@tagged("freight_sync", "post_install", "-at_install")
class TestSameInvoiceThroughThreeChannelsAtOnce(BaseCase):
    """Three workers stage the same carrier invoice at once, as a 210 with SCAC, as JSON
    without and as CSV: real transactions on the real database (committed, removed at the
    end). The first stages, audits and bills it; the others wait on its unique identity,
    fail to serialize when it commits, and, retried, find it: one invoice, one bill, and a
    duplicate case for each resend."""

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        with committed_env(self.registry) as env:
            company = env.company
            self.settings = {"freight_pod_required": company.freight_pod_required,
                             "freight_auto_post": company.freight_auto_post}
            company.write({"freight_pod_required": False, "freight_auto_post": False})
            if not company.freight_expense_account_id:
                company.freight_expense_account_id = env["account.account"].search(
                    [("account_type", "=", "expense"), ("company_id", "=", company.id)],
                    limit=1)
            carrier = env["res.partner"].create(
                {"name": "Race carrier", "is_freight_carrier": True, "freight_scac": SCAC})
            shipment = env["freight.shipment"].create({
                "carrier_id": carrier.id, "pro_number": "PRO100", "confirmed_rate": 500.0,
                "confirmed_rate_currency_id": env.ref("base.USD").id})
            self.ids = (carrier.id, shipment.id)
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        carrier_id, shipment_id = self.ids
        with committed_env(self.registry) as env:
            invoices = env["freight.invoice"].search([("carrier_id", "=", carrier_id)])
            env["freight.exception"].search([("invoice_id", "in", invoices.ids)]).unlink()
            env["account.move"].search([("freight_invoice_id", "in", invoices.ids)]).unlink()
            invoices._with_guarded_rights().unlink()
            env["freight.shipment"].browse(shipment_id).unlink()
            env["res.partner"].browse(carrier_id).unlink()
            env.company.write(self.settings)

    def test_one_invoice_and_at_most_one_bill(self):
        carrier_id, _shipment_id = self.ids
        channels = documents()
        first_staged = threading.Event()
        tries = {}

        def stage(channel):
            with committed_env(self.registry) as env:
                carrier = env["res.partner"].browse(carrier_id)
                # the snapshot is taken now, before the first one commits
                env.cr.execute("SELECT 1")
                if channel != "210":
                    first_staged.wait(10)

                def attempt():
                    tries[channel] = tries.get(channel, 0) + 1
                    staged, errors = env["freight.invoice"]._stage(
                        [channels[channel]], env.company, carrier)
                    staged._audit()
                    if channel == "210":
                        first_staged.set()
                        threading.Event().wait(1.0)  # hold the row while the others come
                    return staged.ids, errors

                retrying(attempt, env)

        threads = [threading.Thread(target=stage, args=(c,)) for c in ("210", "json", "csv")]
        # the expected serialization failures are logged by odoo.sql_db before the retries
        with mute_logger("odoo.sql_db", "odoo.service.model"):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
        with committed_env(self.registry) as env:
            invoice = env["freight.invoice"].search([("carrier_id", "=", carrier_id)])
            self.assertEqual(len(invoice), 1)
            self.assertEqual(invoice.state, "approved", invoice.audit_summary)
            self.assertEqual(env["account.move"].search_count(
                [("freight_invoice_id", "=", invoice.id)]), 1)
            cases = invoice.exception_ids.filtered(
                lambda c: c.exception_type == "duplicate_invoice")
            self.assertEqual(len(cases), 2, "one case per resend")
        # the late ones did wait for the first and were retried, not refused
        self.assertEqual(tries["210"], 1)
        self.assertGreaterEqual(tries["json"] + tries["csv"], 3, tries)
