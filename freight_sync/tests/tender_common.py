"""Tendering tests: the rate shop's carriers (RateShopCase), each with an endpoint whose
outbound URL is a fake carrier (outbox_common.FakeReceiver, a real HTTP server on
loopback that checks our signature), and helpers to post the carrier's answers back
through our real inbound routes, signed."""

import json

from odoo.tests import new_test_user

from .accrual_common import AccrualCase
from .outbox_common import FakeReceiver
from .test_rate_shop import RateShopCase


class TenderCase(AccrualCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["freight.rate.contract"].search(
            [("carrier_id", "!=", cls.carrier.id)]).active = False
        cls.quick = RateShopCase.carrier_with_contract.__func__(
            cls, "Quick Freight", rate=0.55, transit_days=2)
        cls.quick.freight_scac = "QUIK"
        cls.receiver = FakeReceiver(cls.secret)
        cls.addClassCleanup(cls.receiver.stop)
        cls.endpoint.outbound_url = cls.receiver.url("/tstc")
        cls.quick_endpoint = cls.env["freight.endpoint"].create({
            "name": "Quick carrier", "kind": "carrier", "carrier_id": cls.quick.id,
            "user_id": cls.robot.id, "hmac_secret": cls.secret,
            "outbound_url": cls.receiver.url("/quick"),
        })
        cls.origin.write({"city": "Nashville", "street": "1 Dock Rd"})
        cls.destination.write({"city": "Chicago", "street": "9 Main St"})
        cls.dispatcher = new_test_user(
            cls.env, login="tender_dispatcher", password="tender_dispatcher-pass-123",
            groups="base.group_user,freight_sync.group_freight_user")
        cls.clerk = new_test_user(
            cls.env, login="tender_clerk", password="tender_clerk-pass-123",
            groups="base.group_user,freight_sync.group_freight_billing")
        cls.env.company.freight_tender_waterfall = "ask"

    def draft(self, **values):
        return self.new_shipment(user_id=self.dispatcher.id, **values)

    def tender(self, shipment, user=None):
        return shipment.with_user(user or self.dispatcher).action_tender().sudo()

    def deliver(self):
        return self.env["freight.message"]._cron_deliver_outbox(time_budget=30)

    def process(self):
        return self.env["freight.message"]._cron_process_inbox(time_budget=30)

    def post_events(self, *events):
        body = json.dumps({"events": list(events)}).encode()
        return self.url_open("/freight_sync/v1/events", data=body,
                             headers=self.signed_headers(body), timeout=30)

    def post_x12(self, text):
        body = text.encode()
        headers = {**self.signed_headers(body), "Content-Type": "application/edi-x12"}
        return self.url_open("/freight_sync/v1/edi", data=body, headers=headers, timeout=30)

    @staticmethod
    def answer(shipment, event_id, code, when="2024-07-09T10:00:00Z", **extra):
        return {"id": event_id, "shipment": {"name": shipment.name}, "code": code,
                "event_time": when, **extra}

    @staticmethod
    def interchange(sets, control=501, sender="TSTC", functional="GF"):
        """An X12 interchange of ``sets`` (ST code, segments between ST and SE)."""
        out = [f"ISA*00*          *00*          *02*{sender.ljust(15)}*ZZ*FREIGHTSYNC    *"
               f"240709*1200*U*00401*{control:09d}*0*P*>~",
               f"GS*{functional}*{sender}*FREIGHTSYNC*20240709*1200*{control}*X*004010~"]
        for number, (code, segments) in enumerate(sets, 1):
            body = [["ST", code, f"{number:04d}"], *segments]
            body.append(["SE", str(len(body) + 1), f"{number:04d}"])
            out += ["*".join(segment) + "~" for segment in body]
        out += [f"GE*{len(sets)}*{control}~", f"IEA*1*{control:09d}~"]
        return "".join(out)

    def response_990(self, shipment, action, control=501, extra=()):
        return self.interchange([("990", [["B1", "TSTC", shipment.name, "20240709", action],
                                          *extra])], control)

    def ack_997(self, message, accepted=True, control=601):
        rejected = [] if accepted else [["AK3", "S5", "4", "", "8"]]
        return self.interchange([("997", [
            ["AK1", "SM", message.x12_group_control], ["AK2", "204", "0001"], *rejected,
            ["AK5", "A" if accepted else "R", *([] if accepted else ["5"])],
            ["AK9", "A" if accepted else "R", "1", "1", "1" if accepted else "0"]])],
            control, functional="FA")
