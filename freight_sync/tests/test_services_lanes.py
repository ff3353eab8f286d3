import os

from odoo.tests import BaseCase, tagged

from ..services.lanes import INVOICES, MILESTONES, group_codes, lane_of, shard_of

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "x12")


def fixture(name):
    with open(os.path.join(FIXTURES, name), "rb") as handle:
        return handle.read()


def mixed():
    """One interchange holding a 210 group and a 214 group."""
    invoice = fixture("210_single_line.edi")
    status = fixture("214_004010_star_tilde.x12")
    groups = status[status.index(b"GS*"):status.index(b"IEA*")]
    return invoice.replace(b"IEA*", groups + b"IEA*", 1)


@tagged("freight_sync", "post_install", "-at_install")
class TestLanes(BaseCase):
    def test_json_kinds(self):
        self.assertEqual(lane_of("events", b"{}"), MILESTONES)
        self.assertEqual(lane_of("invoices", b"{}"), INVOICES)
        self.assertIsNone(lane_of("tender", b"{}"))

    def test_interchanges_by_their_groups(self):
        cases = {
            "214_004010_star_tilde.x12": MILESTONES,
            "214_004010_caret_apostrophe.x12": MILESTONES,
            "214_005010_pipe_newline.x12": MILESTONES,
            "214_wrapped_isa_80col.edi": MILESTONES,
            "214_newline_terminator_indented.edi": MILESTONES,
            "990_005010_plus_bang.x12": MILESTONES,
            "990_counter_offer.edi": MILESTONES,
            "214_990_005010_two_groups_crlf.x12": MILESTONES,
            "210_single_line.edi": INVOICES,
            "210_rebill_rb_caret.edi": INVOICES,
            "210_5010_two_sets_weight_lb.edi": INVOICES,
            # not supported: refused at once, by the lane that cannot wait
            "856_not_supported.edi": MILESTONES,
        }
        for name, lane in cases.items():
            with self.subTest(name):
                self.assertEqual(lane_of("edi", fixture(name)), lane)

    def test_a_mixed_interchange_is_the_milestones_lanes(self):
        body = mixed()
        self.assertEqual(group_codes(body), {"IM", "QM"})
        self.assertEqual(lane_of("edi", body), MILESTONES)

    def test_each_interchange_read_with_its_own_separator(self):
        invoice = fixture("210_single_line.edi")
        status = fixture("214_005010_pipe_newline.x12")
        self.assertEqual(group_codes(invoice + status), {"IM", "QM"})
        self.assertEqual(lane_of("edi", invoice + status), MILESTONES)
        self.assertEqual(lane_of("edi", invoice + invoice), INVOICES)

    def test_not_x12(self):
        for body in (b"", b"hello", b"ISA", b"GS*IM*X*Y~", b"\xef\xbb\xbf  "):
            with self.subTest(body):
                self.assertEqual(group_codes(body), set())
                self.assertEqual(lane_of("edi", body), MILESTONES)

    def test_a_group_code_in_data_is_no_group(self):
        body = fixture("210_single_line.edi").replace(b"C3*USD~", b"C3*USD*BGS*QM*~")
        self.assertEqual(lane_of("edi", body), INVOICES)

    def test_shards(self):
        self.assertEqual([shard_of(key, 2) for key in (1, 2, 3, 4)], [1, 0, 1, 0])
        self.assertEqual(shard_of(7, 1), 0)
        self.assertEqual(shard_of(7, 0), 0)
