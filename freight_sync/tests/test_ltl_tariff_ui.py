import base64

from odoo.tests import HttpCase, tagged

from .common import browser_script
from .test_ltl_tariff import TARIFF

# open an LTL lane of the contract in its own form and read its terms and FAK rules there
OPEN_LANE = browser_script("""
    const row = await find("[name=line_ids] .o_data_row");
    if (!row.innerText.includes("CZ-DEMO base tariff")) throw new Error(row.innerText);
    row.querySelector(".o_list_record_open_form_view button").click();
    const fak = await find("[name=ltl_fak_ids] .o_data_row");
    if (!fak.innerText.includes("92.5")) throw new Error(`FAK rule: ${fak.innerText}`);
    const discount = await find("[name=ltl_discount] input");
    if (!discount.value.startsWith("60")) throw new Error(`discount: ${discount.value}`);
""")
# the tariff's revisions, and the rates of one of them
OPEN_REVISION = browser_script("""
    (await find("[name=revision_ids] .o_data_row td[name=filename]")).click();
    const rate = await find(".modal [name=rate_ids] .o_data_row");
    if (!rate.innerText.includes("L5C")) throw new Error(`rate: ${rate.innerText}`);
""")


@tagged("freight_sync", "post_install", "-at_install")
class TestLtlTariffUi(HttpCase):
    def test_the_lane_form_shows_ltl_terms_and_the_tariff_its_rates(self):
        wizard = self.env["freight.ltl.tariff.import"].create({
            "file": base64.b64encode(TARIFF.encode()), "filename": "cz-demo.csv",
            "valid_from": "2026-01-01", "new_tariff_name": "CZ-DEMO base tariff"})
        tariff = self.env["freight.ltl.tariff"].browse(wizard.action_import()["res_id"])
        contract = self.env["freight.rate.contract"].create({
            "name": "LTL UI", "date_start": "2026-01-01",
            "carrier_id": self.env["res.partner"].create(
                {"name": "UI Carrier", "is_freight_carrier": True}).id,
            "line_ids": [(0, 0, {
                "basis": "ltl_tariff", "rate": 0.0, "ltl_tariff_id": tariff.id,
                "ltl_discount": 60.0, "ltl_fak_ids": [(0, 0, {
                    "class_from": "55", "class_to": "92.5", "rated_class": "50"})]})],
        })
        self.browser_js(f"/web#id={contract.id}&model=freight.rate.contract&view_type=form",
                        OPEN_LANE, login="admin", timeout=120)
        self.browser_js(f"/web#id={tariff.id}&model=freight.ltl.tariff&view_type=form",
                        OPEN_REVISION, login="admin", timeout=120)
