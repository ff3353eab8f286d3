from odoo.tests import HttpCase, tagged

from .common import browser_script
from .inbound_common import InboundCase

# rotate from the endpoint's form, confirm, and read the key in the dialog that follows
ROTATE_AND_READ = browser_script("""
    const form = await find(".o_form_view");
    const buttons = [...form.querySelectorAll("button")];
    buttons.find((button) => button.textContent.includes("Rotate API Key")).click();
    (await find(".modal-footer .btn-primary")).click();
    const key = await find(".modal [name=api_key]");
    await new Promise((resolve) => setTimeout(resolve, 300));
    if (!/fsk_\\S{20,}/.test(key.innerText)) throw new Error(`no key shown: ${key.innerText}`);
""")


@tagged("freight_sync", "post_install", "-at_install")
class TestEndpointKeyUi(InboundCase, HttpCase):
    def test_issued_key_is_shown_in_the_dialog(self):
        """The key, never stored, reaches the issuer's dialog through the action's context."""
        self.browser_js(f"/web#id={self.endpoint.id}&model=freight.endpoint&view_type=form",
                        ROTATE_AND_READ, login="admin", timeout=120)
