from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install", "freight_sync_web")
class TestFreightWebQUnit(HttpCase):
    """Runs the QUnit tests of freight_sync_web in Chromium (mock server, real assets)."""

    def test_qunit_suite(self):
        # QUnit's filter keeps our module only; the page fails the test on any failed assertion
        self.browser_js(
            "/web/tests?filter=freight_sync_web&hidepassed=1",
            "",
            "",
            login="admin",
            timeout=300,
        )
