import logging
import time

from odoo.tests import BaseCase, tagged

from ..services.x12 import parse_all
from . import fuzz_inputs
from .bad_input_catalogue import CATALOGUE, json_verdict, x12_problems
from .fuzz_inputs import check_x12

_logger = logging.getLogger(__name__)

SEED = 20261206
INPUTS = 20_000


def interchange(ge01="1", iea01="1"):
    return ("ISA*00*          *00*          *02*BRFL           *ZZ*FREIGHTSYNC    *240712*"
            "0900*U*00401*000000102*0*P*>~GS*IM*BRFL*FREIGHTSYNC*20240712*0900*102*X*004010~"
            "ST*210*0001~B3**BR-1*PRO100*PP**20240712*50000**20240711*035*BRFL~"
            "LX*1~L1*1***50000****~SE*5*0001~"
            f"GE*{ge01}*102~IEA*{iea01}*000000102~").encode()

@tagged("freight_sync", "freight_pure")
class TestServicesFuzz(BaseCase):
    """Mutated valid payloads through the pure intake: a result or a documented refusal
    (``PayloadError``, ``X12Error``, ``JsonSyntaxError``), never another exception."""

    def test_pure_intake_never_crashes(self):
        started = time.monotonic()
        checked, crashes = fuzz_inputs.run(SEED, INPUTS)
        elapsed = time.monotonic() - started
        _logger.info("fuzz: %s inputs checked in %.1f s (%.0f/s), %s crash(es)", checked,
                     elapsed, checked / elapsed, len(crashes))
        self.assertEqual(checked, INPUTS)
        self.assertFalse(crashes, f"{len(crashes)} crash(es):\n" + "\n".join(
            f"{crash['label']}: {crash['error']!r} at {crash['where'].filename}:"
            f"{crash['where'].lineno}\n  input: {crash['input'][:300]!r}"
            for crash in crashes[:5]))

    def test_same_seed_same_inputs(self):
        first = [argument for _label, _check, argument in fuzz_inputs.generate(7, 200)]
        again = [argument for _label, _check, argument in fuzz_inputs.generate(7, 200)]
        self.assertEqual(first, again)
        self.assertGreater(len(set(first)), 150, "mutations that vary")

    def test_valid_seeds_pass(self):
        # the mutations start from payloads the intake accepts: otherwise they test nothing
        for seed in fuzz_inputs.x12_seeds():
            check_x12(seed)

    # The two crashes this test found in x12.py, kept as regressions: a trailer count
    # that str.isdigit() accepts but int() refuses ("²", more than 4,300 digits) raised
    # ValueError out of parse_all, and /edi answered 500. Both are now a count error.
    def assert_refused(self, body, code, words):
        check_x12(body)  # no exception
        interchange = parse_all(body.decode())[0]
        errors = interchange.envelope_errors()
        self.assertIn((code, True), [(error.code, words in error.message) for error in errors],
                      [str(error) for error in errors])
        self.assertIsNotNone(interchange.refusal())

    def test_superscript_digit_in_ge01_is_refused(self):
        self.assert_refused(interchange(ge01="1\u00b2"), "ge_count",
                            "GE01 '1\u00b2' is not a count of transaction sets (1 to 6 digits")

    def test_trailer_count_beyond_int_digits_is_refused(self):
        self.assert_refused(interchange(iea01="1" * 5000), "iea_count",
                            "IEA01 '11111111111111111111'… (5000 characters) is not a count")

    def test_count_in_other_digits_is_not_read(self):
        # int() reads "١" as 1: the count was taken as right although it is no X12 number
        self.assert_refused(interchange(ge01="\u0661"), "ge_count", "is not a count")
        self.assertIsNone(parse_all(interchange(ge01="\u0661").decode())[0]
                          .groups[0].declared_sets)


@tagged("freight_sync", "freight_pure")
class TestBadInputCatalogue(BaseCase):
    """Each bad input of the catalogue is refused by the parsing the route does, with the
    status, code, pointer and words the catalogue states (``TestRoutesFuzz`` posts them)."""

    def test_catalogue_is_large_and_distinct(self):
        self.assertGreaterEqual(len(CATALOGUE), 80)
        self.assertEqual(len({case.label for case in CATALOGUE}), len(CATALOGUE))
        self.assertEqual(len({(case.route, case.body, str(case.headers))
                              for case in CATALOGUE}), len(CATALOGUE))

    def test_json_cases(self):
        for case in CATALOGUE:
            if case.route == "edi" or case.http_only:
                continue
            with self.subTest(case.label):
                status, code, problems = json_verdict(case.route, case.body)
                self.assertEqual((status, code), (case.status, case.code), problems)
                self.assertTrue(any(
                    (case.pointer is None or pointer == case.pointer) and case.words in message
                    for pointer, message in problems), problems)

    def test_x12_cases(self):
        for case in CATALOGUE:
            if case.route != "edi":
                continue
            with self.subTest(case.label):
                problems = x12_problems(case.body)
                self.assertTrue(any(
                    code == case.code and (case.pointer is None or pointer == case.pointer)
                    and case.words in message for code, pointer, message in problems),
                    problems)
