from odoo.tests import HttpCase, tagged

from .inbound_common import InboundCase

URL = "/freight_sync/v1/edi"


def interchange(sets, control=101, sender="TSTC", break_iea=False):
    """An X12 interchange (004010, '*' and '~' with newlines) around ``sets``: each a list
    of segments between ST and SE, as element lists."""
    isa = ("ISA*00*          *00*          *02*" + sender.ljust(15) + "*ZZ*FREIGHTSYNC    *"
           f"240709*1200*U*00401*{control:09d}*0*P*>~\n")
    out = [isa, f"GS*QM*{sender}*FREIGHTSYNC*20240709*1200*{control}*X*004010~\n"]
    for number, (code, segments) in enumerate(sets, 1):
        body = [["ST", code, f"{number:04d}"], *segments]
        body.append(["SE", str(len(body) + 1), f"{number:04d}"])
        out += ["*".join(segment) + "~\n" for segment in body]
    out.append(f"GE*{len(sets)}*{control}~\n")
    out.append(f"IEA*1*{control + 1 if break_iea else control:09d}~\n")
    return "".join(out).encode()


def status_set(pro, *statuses):
    segments = [["B10", pro, pro, "TSTC"]]
    for number, (code, date, time, zone, city, state) in enumerate(statuses, 1):
        segments += [["LX", str(number)], ["AT7", code, "NS", "", "", date, time, zone],
                     ["MS1", city, state, "US"]]
    return ("214", segments)


@tagged("freight_sync", "post_install", "-at_install")
class TestEdiRoute(InboundCase, HttpCase):
    def post(self, body, content_type="application/edi-x12", headers_extra=None, **sign_args):
        headers = {**self.signed_headers(body, **sign_args), "Content-Type": content_type,
                   **(headers_extra or {})}
        return self.url_open(URL, data=body, headers=headers, timeout=30)

    def process(self):
        return self.env["freight.message"]._cron_process_inbox(time_budget=30)

    def test_214_is_acknowledged_then_applied(self):
        body = interchange([status_set(
            "PRO100",
            ("AF", "20240709", "0800", "CT", "Dallas", "TX"),
            ("X6", "20240709", "1900", "CT", "Texarkana", "TX"),
        )])
        response = self.post(body)
        self.assertEqual(response.status_code, 202, response.text)
        ack = response.text
        self.assertTrue(ack.startswith("ISA*"), ack)
        self.assertIn("AK1*QM*101~", ack)
        self.assertIn("AK5*A~", ack)
        self.assertIn("AK9*A*1*1*1~", ack)
        self.assertEqual(response.headers["X-Freight-Accepted"], "2")
        message = self.env["freight.message"].search([("endpoint_id", "=", self.endpoint.id)])
        self.assertEqual((message.kind, message.payload_attachment_id.raw), ("edi", body))
        self.process()
        self.assertEqual(message.state, "done", message.last_error)
        self.assertEqual(self.shipment.status, "in_transit")
        picked = self.shipment.milestone_ids.filtered(lambda m: m.code == "picked_up")
        self.assertEqual((picked.raw_code, picked.reason_code, picked.source), ("AF", "NS", "edi"))
        self.assertEqual(str(picked.event_time), "2024-07-09 13:00:00")  # 08:00 CDT
        self.assertEqual(picked.location, "Dallas, TX, US")

    def test_resend_gets_the_same_ack_and_other_content_is_new(self):
        body = interchange([status_set("PRO100", ("AF", "20240709", "0800", "UT", "Dallas", "TX"))])
        first = self.post(body)
        again = self.post(body)
        self.assertEqual((again.status_code, again.text), (200, first.text))
        other = interchange(
            [status_set("PRO100", ("D1", "20240709", "0900", "UT", "Dallas", "TX"))])
        reused = self.post(other)
        self.assertEqual(reused.status_code, 202, reused.text)
        self.assertEqual(
            self.env["freight.message"].search_count([("endpoint_id", "=", self.endpoint.id)]), 2)

    def test_bad_set_is_rejected_in_the_997_good_set_applied(self):
        good = status_set("PRO100", ("AF", "20240709", "0800", "UT", "Dallas", "TX"))
        bad = status_set("PRO100", ("D1", "20241345", "0900", "UT", "Dallas", "TX"))
        response = self.post(interchange([good, bad]))
        self.assertEqual(response.status_code, 202, response.text)
        self.assertIn("AK2*214*0001~\nAK5*A~", response.text)
        self.assertIn("AK2*214*0002~\nAK3*AT7*4**8~\nAK4*5**8*20241345~\nAK5*R*5~",
                      response.text)
        self.assertIn("AK9*P*2*2*1~", response.text)
        self.process()
        self.assertEqual(self.shipment.milestone_ids.mapped("code"), ["picked_up"])

    def test_broken_envelope_gets_a_negative_997_and_is_kept_rejected(self):
        body = interchange([status_set("PRO100", ("AF", "20240709", "0800", "UT", "Dallas", "TX"))],
                           break_iea=True)
        response = self.post(body)
        self.assertEqual(response.status_code, 400)
        error = response.json()["error"]
        self.assertEqual(error["code"], "malformed_x12")
        self.assertTrue(any("IEA02" in problem or "control" in problem
                            for problem in error["details"]["problems"]), error)
        response = self.post(body, headers_extra={"Accept": "application/edi-x12"})
        self.assertIn("TA1*000000101*240709*1200*R*001~", response.text)
        self.assertIn("AK9*R", response.text)
        garbage = self.post(b"this is not X12 at all")
        self.assertEqual((garbage.status_code, garbage.json()["error"]["code"]),
                         (400, "malformed_x12"))
        messages = self.env["freight.message"].search([("endpoint_id", "=", self.endpoint.id)])
        self.assertEqual(messages.mapped("state"), ["rejected", "rejected"])
        self.process()
        self.assertFalse(self.shipment.milestone_ids)

    def test_refusals(self):
        body = interchange([status_set("PRO100", ("AF", "20240709", "0800", "UT", "Dallas", "TX"))])
        self.assertEqual(self.post(body, content_type="application/json").status_code, 415)
        self.assertEqual(self.post(body, secret="wrong").status_code, 401)
        self.endpoint.x12_sender_id = "SOMEONEELSE"
        response = self.post(body)
        self.assertEqual((response.status_code, response.json()["error"]["code"]),
                         (403, "sender_mismatch"))
        self.endpoint.write({"x12_sender_id": False, "accept_x12": False})
        self.assertEqual(self.post(body).status_code, 403)

    def test_990_and_estimates(self):
        self.sent_tender(self.shipment)
        tender = ("990", [["B1", "TSTC", "LOAD100", "20240709", "A"], ["K1", "Driver 42"]])
        eta = status_set("PRO100", ("AG", "20240711", "1400", "UT", "Chicago", "IL"))
        response = self.post(interchange([tender, eta]))
        self.assertEqual(response.status_code, 202, response.text)
        self.process()
        self.assertEqual(self.shipment.status, "accepted")
        accepted = self.shipment.milestone_ids
        self.assertEqual((accepted.code, accepted.note), ("accepted", "Driver 42"))
        self.assertEqual(str(self.shipment.carrier_eta), "2024-07-11 14:00:00")

    def test_several_interchanges_each_acknowledged_and_applied(self):
        first = interchange(
            [status_set("PRO100", ("AF", "20240709", "0800", "CT", "Dallas", "TX"))], control=101)
        second = interchange(
            [status_set("PRO100", ("X6", "20240709", "1900", "CT", "Texarkana", "TX"))],
            control=201)
        response = self.post(first + second)
        self.assertEqual(response.status_code, 202, response.text)
        ack = response.text
        self.assertEqual(ack.count("ISA*"), 2, ack)
        self.assertLess(ack.index("AK1*QM*101~"), ack.index("AK1*QM*201~"))
        self.assertEqual(ack.count("AK9*A*1*1*1~"), 2)
        self.assertEqual(response.headers["X-Freight-Accepted"], "2")
        message = self.env["freight.message"].search([("endpoint_id", "=", self.endpoint.id)])
        self.assertRegex(message.idempotency_key,
                         r"^x12:TSTC:000000101:2407091200:[0-9a-f]{16}"
                         r"\+TSTC:000000201:2407091200:[0-9a-f]{16}$")
        self.process()
        self.assertEqual(message.state, "done", message.last_error)
        self.assertEqual(self.shipment.status, "in_transit")
        self.assertEqual(len(self.shipment.milestone_ids), 2)

    def test_a_broken_interchange_applies_nothing_the_others_are_applied(self):
        good = interchange(
            [status_set("PRO100", ("AF", "20240709", "0800", "CT", "Dallas", "TX"))], control=101)
        broken = interchange(
            [status_set("PRO100", ("D1", "20240709", "1900", "CT", "Dallas", "TX"))],
            control=201, break_iea=True)
        response = self.post(good + broken)
        self.assertEqual(response.status_code, 202, response.text)
        ack = response.text
        self.assertIn("AK1*QM*101~\nAK2*214*0001~\nAK5*A~\nAK9*A*1*1*1~", ack)
        self.assertIn("AK1*QM*201~\nAK2*214*0001~\nAK5*R~\nAK9*R*1*1*0~", ack)
        self.assertEqual(response.headers["X-Freight-Accepted"], "1")
        self.process()
        self.assertEqual(self.shipment.milestone_ids.mapped("code"), ["picked_up"])

    def test_wrapped_latin1_file_is_read(self):
        body = interchange(
            [status_set("PRO100", ("AF", "20240709", "0800", "ET", "Montréal", "QC"))])
        one_line = body.decode().replace("\n", "").encode("latin-1")
        wrapped = b"\r\n".join(one_line[i:i + 80] for i in range(0, len(one_line), 80))
        with self.assertLogs("odoo.addons.freight_sync.controllers.edi", "WARNING") as logs:
            response = self.post(wrapped)
        self.assertEqual(response.status_code, 202, response.text)
        self.assertIn("read as Latin-1", logs.output[0])
        self.process()
        picked = self.shipment.milestone_ids
        self.assertEqual((picked.code, picked.location), ("picked_up", "Montréal, QC, US"))
