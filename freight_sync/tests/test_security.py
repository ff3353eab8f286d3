import base64

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import FreightCase

# role -> model -> allowed operations among c(reate) r(ead) w(rite) u(nlink)
ACCESS_MATRIX = {
    "dispatcher": {"freight.shipment": "crw-", "freight.milestone": "crw-",
                   "freight.exception": "crw-", "freight.endpoint": "----",
                   "freight.message": "----", "freight.code.map": "-r--",
                   "freight.message.event": "----", "freight.code.map.line": "-r--",
                   "freight.exception.stage": "-r--"},
    "clerk": {"freight.shipment": "-r--", "freight.milestone": "-r--",
              "freight.exception": "crw-", "freight.endpoint": "----",
              "freight.message": "----", "freight.code.map": "----",
              "freight.message.event": "----", "freight.code.map.line": "----",
              "freight.exception.stage": "-r--"},
    "manager": {"freight.shipment": "crwu", "freight.milestone": "crwu",
                "freight.exception": "crwu", "freight.endpoint": "crwu",
                "freight.message": "-rw-", "freight.code.map": "crwu",
                "freight.message.event": "-r--", "freight.code.map.line": "crwu",
                "freight.exception.stage": "crwu"},
    "integration": {"freight.shipment": "-rw-", "freight.milestone": "cr--",
                    "freight.exception": "cr--", "freight.endpoint": "----",
                    "freight.message": "-r--", "freight.code.map": "-r--",
                    "freight.message.event": "----", "freight.code.map.line": "-r--",
                    "freight.exception.stage": "-r--"},
    "employee": {model: "----" for model in (
        "freight.shipment", "freight.milestone", "freight.exception", "freight.endpoint",
        "freight.message", "freight.code.map", "freight.message.event", "freight.code.map.line",
        "freight.exception.stage")} | {"freight.exception.stage": "-r--"},
}
# carrier invoices and contracts: finance works them, dispatchers don't see them,
# the partner's technical user only stages invoices
INVOICE_MATRIX = {
    "dispatcher": {"freight.invoice": "----", "freight.rate.contract": "-r--",
                   "freight.charge.code": "-r--", "freight.invoice.upload": "----",
                   "freight.accrual.report": "----"},
    "clerk": {"freight.invoice": "crw-", "freight.rate.contract": "-r--",
              "freight.charge.code": "-r--", "freight.invoice.upload": "crw-",
              "freight.accrual.report": "-r--"},
    "manager": {"freight.invoice": "crwu", "freight.rate.contract": "crwu",
                "freight.charge.code": "crwu", "freight.invoice.upload": "crwu",
                "freight.accrual.report": "-r--"},
    "integration": {"freight.invoice": "cr--", "freight.rate.contract": "----",
                    "freight.charge.code": "-r--", "freight.invoice.upload": "----",
                    "freight.accrual.report": "----"},
    "employee": {"freight.invoice": "----", "freight.rate.contract": "----",
                 "freight.charge.code": "----", "freight.invoice.upload": "----",
                 "freight.accrual.report": "----"},
}
for _role, _models in INVOICE_MATRIX.items():
    ACCESS_MATRIX[_role].update(_models)

ROLE_GROUPS = {
    "dispatcher": "freight_sync.group_freight_user",
    "clerk": "freight_sync.group_freight_billing",
    "manager": "freight_sync.group_freight_manager",
    "integration": "base.group_user,freight_sync.group_freight_integration",
    "employee": "base.group_user",
}


@tagged("freight_sync", "post_install", "-at_install")
class TestAccessRights(FreightCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            role: new_test_user(cls.env, login=f"freight_{role}", groups=groups)
            for role, groups in ROLE_GROUPS.items()
        }

    def _accrued_shipment(self):
        """A row of the open accruals view, without the accounting set-up behind it."""
        shipment = self.make_shipment()
        move = self.env["account.move"].create({"move_type": "entry"})
        self.env.flush_all()
        self.env.cr.execute("UPDATE account_move SET state = 'posted' WHERE id = %s", [move.id])
        self.env.cr.execute("""UPDATE freight_shipment SET accrual_state = 'accrued',
                               accrual_move_id = %s WHERE id = %s""", [move.id, shipment.id])
        self.env.invalidate_all()
        return shipment

    def _fixture(self, model):
        """A record of ``model``, values to create another and values to write."""
        self.serial = getattr(self, "serial", 0) + 1
        unique = f"AR{self.serial}"
        if model == "freight.invoice":
            values = {"name": unique, "carrier_id": self.carrier.id, "date": "2024-07-12",
                      "currency_id": self.env.company.currency_id.id, "external_id": unique}
            # the access rights alone: what the carrier sent is guarded on top of them (the
            # intake creates with the guarded rights; tests/test_invoice_controls.py)
            return (self.env[model]._with_guarded_rights().create(values).with_env(self.env),
                    dict(values, name=unique + "b", external_id=unique + "b"),
                    {"upload_id": False})
        if model == "freight.invoice.upload":
            values = {"name": unique, "carrier_id": self.carrier.id, "date_format": "iso",
                      "currency_id": self.env.company.currency_id.id, "mapping": {"number": "N"},
                      "file": base64.b64encode(b"N\n")}
            return self.env[model].create(values), values, {"invoice_done": 1}
        if model == "freight.accrual.report":
            # a view: reading is all there is; create, write and unlink fail for everyone
            return self.env[model].browse(self._accrued_shipment().id), {}, {"amount": 1.0}
        if model == "freight.rate.contract":
            values = {"name": unique, "carrier_id": self.carrier.id, "date_start": "2024-01-01"}
            return self.env[model].create(values), values, {"name": unique + "b"}
        if model == "freight.charge.code":
            values = {"code": unique, "name": "Test"}
            return self.env[model].create(values), dict(values, code=unique + "B"), {
                "name": "T2"}
        shipment = self.make_shipment()
        if model == "freight.shipment":
            return shipment, {"carrier_id": self.carrier.id}, {"service_level": "X"}
        if model == "freight.milestone":
            return (self.add(shipment, "tendered", 2),
                    {"shipment_id": shipment.id, "code": "accepted",
                     "event_time": self.hours_ago(1)}, {"location": "X"})
        if model == "freight.exception":
            # billing case for clerks, operational for the others: each sees its own kind
            kind = "rate_variance" if self.current_role == "clerk" else "delivery_exception"
            values = {"name": "Case", "exception_type": kind, "shipment_id": shipment.id}
            return self.env[model].create(values), values, {"description": "X"}
        if model == "freight.endpoint":
            values = {"name": "EP", "kind": "tms", "user_id": self.users["integration"].id}
            return self.env[model].create(values), values, {"name": "EP2"}
        if model == "freight.message":
            endpoint = self.env["freight.endpoint"].create(
                {"name": "EP", "kind": "tms", "user_id": self.users["integration"].id})
            values = {"endpoint_id": endpoint.id, "kind": "events", "idempotency_key": "k"}
            return self.env[model].create(values), dict(values, idempotency_key="k2"), {
                "content_type": "X"}
        if model == "freight.message.event":
            endpoint = self.env["freight.endpoint"].create(
                {"name": "EP", "kind": "tms", "user_id": self.users["integration"].id})
            message = self.env["freight.message"].create(
                {"endpoint_id": endpoint.id, "kind": "events", "idempotency_key": "k"})
            values = {"endpoint_id": endpoint.id, "message_id": message.id, "digest": "d",
                      "external_id": "e1"}
            return self.env[model].create(values), dict(values, external_id="e2"), {
                "digest": "x"}
        if model == "freight.code.map.line":
            code_map = self.env["freight.code.map"].create({"name": "Map"})
            values = {"map_id": code_map.id, "external_code": "Z1", "milestone_code": "in_transit"}
            return self.env[model].create(values), dict(values, external_code="Z2"), {
                "milestone_code": "delivered"}
        if model == "freight.exception.stage":
            return self.env[model].create({"name": "S"}), {"name": "S2"}, {"name": "S3"}
        values = {"name": "Map"}
        return self.env[model].create(values), values, {"name": "Map 2"}

    def _try(self, user, model, operation):
        """Run one CRUD operation as ``user``; True when allowed."""
        record, create_values, write_values = self._fixture(model)
        try:
            with self.env.cr.savepoint():
                if operation == "c":
                    Model = self.env[model].with_user(user)
                    if model == "freight.invoice":
                        Model = Model._with_guarded_rights()  # as the intake creates them
                    Model.create(create_values)
                elif operation == "r":
                    record.with_user(user).read(["display_name"])
                elif operation == "w":
                    record.with_user(user).write(write_values)
                elif operation == "u":
                    record.with_user(user).unlink()
            return True
        except AccessError:
            return False

    def test_access_matrix(self):
        for role, expectations in ACCESS_MATRIX.items():
            self.current_role = role
            for model, allowed in expectations.items():
                for operation, flag in zip("crwu", allowed):
                    with self.subTest(role=role, model=model, operation=operation):
                        self.assertEqual(
                            self._try(self.users[role], model, operation), flag != "-"
                        )

    def test_exception_cases_split_by_team(self):
        operational = self.env["freight.exception"].create(
            {"name": "Refused", "exception_type": "delivery_exception"})
        billing = self.env["freight.exception"].create(
            {"name": "Overbilled", "exception_type": "rate_variance"})
        both = operational | billing
        visible = {role: self.env["freight.exception"].with_user(self.users[role]).search(
            [("id", "in", both.ids)]) for role in ("dispatcher", "clerk", "manager")}
        self.assertEqual(visible["dispatcher"], operational)
        self.assertEqual(visible["clerk"], billing)
        self.assertEqual(visible["manager"], both)

    def test_secrets_are_admin_only(self):
        endpoint = self.env["freight.endpoint"].create(
            {"name": "EP", "kind": "tms", "user_id": self.users["integration"].id,
             "hmac_secret": "top"})
        with self.assertRaises(AccessError):
            endpoint.with_user(self.users["manager"]).read(["hmac_secret"])
        with self.assertRaises(AccessError):
            endpoint.with_user(self.users["manager"]).read(["api_key_hash"])
        self.assertEqual(endpoint.read(["hmac_secret"])[0]["hmac_secret"], "top")

    def test_groups_imply(self):
        manager = self.users["manager"]
        self.assertTrue(manager.has_group("freight_sync.group_freight_user"))
        self.assertTrue(manager.has_group("freight_sync.group_freight_billing"))
        self.assertFalse(self.users["dispatcher"].has_group("freight_sync.group_freight_billing"))

    def test_sales_user_without_freight_group_can_open_orders(self):
        salesman = new_test_user(
            self.env, login="salesman", groups="sales_team.group_sale_salesman")
        order_form = self.env.ref("sale.view_order_form")
        arch = self.env["sale.order"].with_user(salesman).get_view(order_form.id)["arch"]
        self.assertNotIn("freight_shipment_count", arch)


@tagged("freight_sync", "post_install", "-at_install")
class TestMultiCompany(FreightCase):
    def test_other_company_shipments_are_invisible(self):
        company_b = self.env["res.company"].create({"name": "Freight B Corp"})
        own = self.make_shipment()
        foreign = self.make_shipment(company_id=company_b.id)
        self.add(foreign, "tendered", 1)
        user = new_test_user(
            self.env, login="dispatcher_a", groups="freight_sync.group_freight_user",
            company_id=self.env.company.id, company_ids=[self.env.company.id],
        )
        Shipment = self.env["freight.shipment"].with_user(user)
        visible = Shipment.search([("id", "in", (own | foreign).ids)])
        self.assertEqual(visible, own)
        with self.assertRaises(AccessError):
            foreign.with_user(user).read(["name"])
        self.assertFalse(
            self.env["freight.milestone"].with_user(user).search([("shipment_id", "=", foreign.id)])
        )
        self.assertEqual(foreign.milestone_ids.company_id, company_b)

