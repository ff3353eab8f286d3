from unittest.mock import patch

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..models.freight_shipment import FreightShipment
from ..services.x12 import Interchange
from .inbound_common import InboundCase
from .test_services_x12 import fixture_bytes

URL = "/freight_sync/v1/edi"


@tagged("freight_sync", "post_install", "-at_install")
class TestEdiRefusals(InboundCase, HttpCase):
    """Every refusal of the X12 route says why: in the 997, in the HTTP status, and on a
    stored message an admin can see and replay."""

    def post(self, body, **headers):
        headers = {**self.signed_headers(body), "Content-Type": "application/edi-x12",
                   **headers}
        return self.url_open(URL, data=body, headers=headers, timeout=30)

    def post_fixture(self, name):
        return self.post(fixture_bytes(name))

    def messages(self):
        return self.env["freight.message"].search([("endpoint_id", "=", self.endpoint.id)],
                                                  order="id")

    def process(self):
        return self.env["freight.message"]._cron_process_inbox(time_budget=30)

    def test_bad_element_is_named_in_ak3_ak4_good_set_applied(self):
        response = self.post_fixture("214_bad_date_second_set.edi")
        self.assertEqual(response.status_code, 202, response.text)
        self.assertIn("AK2*214*0001~\nAK5*A~", response.text)
        # AT7 is the 4th segment of the set (ST 1, B10 2, LX 3); AT705 is its date
        self.assertIn("AK2*214*0002~\nAK3*AT7*4**8~\nAK4*5**8*20241345~\nAK5*R*5~",
                      response.text)
        self.assertIn("AK9*P*2*2*1~", response.text)
        self.assertEqual(response.headers["X-Freight-Rejected"], "1")
        message = self.messages()
        self.assertIn("interchange TSTC/000000304: /ST0002/LX1/AT705: 20241345 0900 is not "
                      "a calendar date", message.notes)
        self.process()
        self.assertEqual(message.state, "done", message.last_error)
        self.assertEqual(self.shipment.milestone_ids.mapped("code"), ["picked_up"])

    def test_unsupported_sets_are_refused_with_422_and_stored_rejected(self):
        for name, code, words in (("856_not_supported.edi", "856", "856 is not supported"),
                                  ("204_received.edi", "204", "a 204 is a load tender")):
            with self.subTest(name):
                response = self.post_fixture(name)
                self.assertEqual(response.status_code, 422, response.text)
                error = response.json()["error"]
                self.assertIn(f"AK2*{code}*0001~\nAK5*R*1~\nAK9*R*1*1*0~",
                              error["details"]["acknowledgment"])
                self.assertIn(words, error["details"]["problems"][0])
                message = self.messages()[-1]
                self.assertEqual((message.state, message.item_count, message.answer_status),
                                 ("rejected", 0, 422))
                self.assertIn(words, message.last_error)
                self.assertEqual(message.payload_attachment_id.raw, fixture_bytes(name))
                # the same body again gets the same answer, and is stored once
                again = self.post_fixture(name)
                self.assertEqual((again.status_code, again.text), (422, response.text))
        self.assertEqual(len(self.messages()), 2)
        self.assertEqual(self.process(), 0, "a rejected message waits for an admin")

    def test_envelope_refusal_is_stored_rejected_and_replayable(self):
        body = fixture_bytes("broken_iea_group_count.x12")
        response = self.post(body, Accept="application/edi-x12")
        self.assertEqual(response.status_code, 400, response.text)
        # the TA1 says what is wrong with the interchange (021: IEA01 group count)
        self.assertIn("TA1*000000306*240709*1200*R*021~", response.text)
        self.assertIn("AK5*R~\nAK9*R*1*1*0~", response.text)
        message = self.messages()
        self.assertEqual((message.state, message.payload_attachment_id.raw), ("rejected", body))
        self.assertIn("IEA01 says 2 functional groups", message.last_error)
        dashboard = self.env["freight.dashboard"]._dead_letters(False)
        self.assertEqual(dashboard["value"], 1)
        # replayed under the same rules it is refused again, for the same reason
        message.action_replay()
        self.process()
        self.assertEqual(message.state, "rejected")
        self.assertIn("IEA01 says 2 functional groups", message.last_error)
        self.assertFalse(self.shipment.milestone_ids)
        # once the rules take it (here: a reader forgiving envelope errors) it is applied
        message.action_replay()
        with patch.object(Interchange, "refusal", lambda interchange: None):
            self.process()
        self.assertEqual(message.state, "done", message.last_error)
        self.assertEqual(self.shipment.milestone_ids.mapped("code"), ["picked_up"])
        self.assertEqual(message.item_ids.mapped("state"), ["applied"])

    def test_unreadable_body_is_stored_rejected_with_json_words(self):
        body = b"ISA*00*short~"
        response = self.post(body)
        self.assertEqual(response.status_code, 400)
        error = response.json()["error"]
        self.assertEqual((error["code"], error["details"]["code"]),
                         ("malformed_x12", "isa_truncated"))
        self.assertIn("ISA header is 105 characters", error["details"]["problems"][0])
        message = self.messages()
        self.assertEqual((message.id, message.state), (error["details"]["message_id"],
                                                       "rejected"))
        self.assertEqual(self.post(body).json()["error"]["details"]["message_id"], message.id)

    def test_counter_offer_opens_a_case_for_the_dispatcher(self):
        self.sent_tender(self.shipment)
        response = self.post_fixture("990_counter_offer.edi")
        self.assertEqual(response.status_code, 202, response.text)
        self.assertIn("AK5*A~", response.text)
        message = self.messages()
        self.process()
        # nothing to apply but the offer: the message says so, the case has the words
        self.assertEqual(message.state, "ignored", message.last_error)
        self.assertIn("Counter-offer, not a decision", message.ignore_reason)
        self.assertIn("B104-C Counter Proposal Made", message.ignore_reason)
        self.assertIn("reference LOAD100", message.ignore_reason)
        self.assertEqual(message.item_ids.mapped("state"), ["applied"])
        case = self.env["freight.exception"].search([("shipment_id", "=", self.shipment.id)])
        self.assertEqual((case.exception_type, case.category, case.message_id),
                         ("tender_counter_offer", "operations", message))
        self.assertIn("RATE 1850 USD NOT 1500; PICKUP AFTER 1400", case.description)
        self.assertIn("Counter Proposal Made", case.name)
        self.assertFalse(self.shipment.milestone_ids, "an offer is no decision")
        message.action_replay()
        self.process()
        self.assertEqual(message.state, "ignored")
        self.assertEqual(self.env["freight.exception"].search_count(
            [("shipment_id", "=", self.shipment.id)]), 1)

    def test_control_number_reused_for_other_content_is_a_new_interchange(self):
        first = self.post_fixture("214_control_reused_first.edi")
        self.assertEqual(first.status_code, 202, first.text)
        other = self.post_fixture("214_control_reused_other_content.edi")
        self.assertEqual(other.status_code, 202, other.text)
        earlier, message = self.messages()
        self.assertFalse(earlier.notes)
        self.assertIn("ISA13 000000305 of TSTC was used before", message.notes)
        self.assertIn(earlier.correlation_id, message.notes)
        # the same content in another layout is the same interchange
        again = fixture_bytes("214_control_reused_first.edi").replace(b"~\n", b"~\r\n")
        resent = self.post(again)
        self.assertEqual((resent.status_code, resent.text), (200, first.text))
        self.process()
        self.assertEqual(self.shipment.status, "in_transit")
        self.assertEqual(len(self.shipment.milestone_ids), 2)

    def test_counter_offer_beside_a_status_leaves_the_message_done(self):
        self.sent_tender(self.shipment)
        status = fixture_bytes("214_bad_date_second_set.edi")
        status = status[:status.index(b"ST*214*0002")] + b"GE*1*304~\nIEA*1*000000304~\n"
        self.assertEqual(self.post(status).status_code, 202)
        self.assertEqual(self.post_fixture("990_counter_offer.edi").status_code, 202)
        self.process()
        statuses, offer = self.messages()
        self.assertEqual((statuses.state, offer.state), ("done", "ignored"))
        self.assertEqual(self.shipment.milestone_ids.mapped("code"), ["picked_up"])
        self.assertFalse(statuses.ignore_reason)
        self.assertEqual(len(self.env["freight.exception"].search(
            [("shipment_id", "=", self.shipment.id),
             ("exception_type", "=", "tender_counter_offer")])), 1)

    def test_refusal_in_words_as_json_unless_the_997_alone_is_asked_for(self):
        response = self.post_fixture("856_not_supported.edi")
        self.assertEqual(response.status_code, 422, response.text)
        self.assertEqual(response.headers["Content-Type"], "application/json")
        error = response.json()["error"]
        self.assertEqual(error["code"], "x12_rejected")
        self.assertEqual(len(error["details"]["problems"]), 1)
        self.assertEqual(error["details"]["problems"][0],
                         "interchange TSTC/000000301: /ST0001: transaction set 856 is not "
                         "supported: only 214 (status), 990 (tender response) and 210 "
                         "(invoice) are read")
        self.assertIn("AK2*856*0001~\nAK5*R*1~", error["details"]["acknowledgment"])
        message = self.messages()
        self.assertEqual((error["details"]["message_id"], message.state),
                         (message.id, "rejected"))
        # an envelope refusal: 400, the TA1 in the acknowledgment, the words beside it
        broken = self.post_fixture("broken_iea_group_count.x12")
        self.assertEqual(broken.status_code, 400, broken.text)
        error = broken.json()["error"]
        self.assertEqual(error["code"], "malformed_x12")
        self.assertIn("TA1*000000306*240709*1200*R*021~", error["details"]["acknowledgment"])
        self.assertTrue(any("IEA01 says 2 functional groups" in problem
                            for problem in error["details"]["problems"]))

        # a translator that parses the answer asks for the 997 alone
        alone = self.post(fixture_bytes("856_not_supported.edi"), Accept="application/edi-x12")
        self.assertEqual((alone.status_code, alone.headers["Content-Type"]),
                         (422, "application/edi-x12"))
        self.assertIn("AK2*856*0001~\nAK5*R*1~", alone.text)

    def test_a_case_that_cannot_be_opened_fails_its_offer_alone(self):
        self.sent_tender(self.shipment)
        self.assertEqual(self.post_fixture("990_counter_offer.edi").status_code, 202)
        message = self.messages()

        def broken(*_args):
            raise ValueError("no stage for the case")

        with patch.object(FreightShipment, "_open_counter_offer_case", broken), \
                mute_logger("odoo.addons.freight_sync.models.freight_shipment"):
            self.process()
        self.assertEqual((message.state, message.item_ids.mapped("state")),
                         ("failed", ["failed"]))
        self.assertIn("no stage for the case", message.item_ids.error)
        self.assertIn("no stage for the case", message.last_error)
        message.next_attempt_at = False
        self.process()
        self.assertEqual(message.state, "ignored", message.last_error)
        self.assertEqual(self.env["freight.exception"].search_count(
            [("shipment_id", "=", self.shipment.id)]), 1)
