"""The chaos run's fixtures over XML-RPC, set-based: a carrier with its endpoint (the
ingest benchmark's ``setup``), its SCAC and rate contract, the company's auto-approval
and auto-posting, and every shipment in one ``create`` per 2,000."""

from feed import scac_of
from ingest_bench import setup


def seed(call, run, pros, weights):
    carrier, endpoint, key, secret = setup(call, run)
    call("res.partner", "write", [carrier], {"freight_scac": scac_of(run)})
    company = call("res.users", "read", [call("res.users", "search", [["login", "=", "admin"]])[0]],
                   ["company_id"])[0]["company_id"][0]
    expense = call("account.account", "search", [["account_type", "=", "expense"],
                                                 ["company_id", "=", company]], limit=1)
    call("res.company", "write", [company], {
        "freight_auto_approve": True, "freight_auto_post": True, "freight_pod_required": False,
        "freight_expense_account_id": expense[0]})
    currency = call("res.company", "read", [company], ["currency_id"])[0]["currency_id"][0]
    call("freight.rate.contract", "create", {
        "name": f"Chaos {run}", "carrier_id": carrier, "currency_id": currency,
        "date_start": "2024-01-01", "fuel_percent": 20.0,
        "line_ids": [(0, 0, {"basis": "per_kg", "rate": 0.5, "minimum": 150})]})
    shipments = []
    for start in range(0, len(pros), 2000):
        shipments += call("freight.shipment", "create", [
            {"carrier_id": carrier, "pro_number": pro, "weight": weight, "mode": "ltl"}
            for pro, weight in zip(pros[start:start + 2000], weights[start:start + 2000])],
            context={"tracking_disable": True})
    return {"carrier": carrier, "endpoint": endpoint, "key": key, "secret": secret,
            "shipments": shipments}
