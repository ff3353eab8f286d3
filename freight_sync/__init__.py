from . import controllers
from . import models
from . import report
from . import wizards
from .demo.disputes import create_demo_disputes
from .demo.invoices import create_demo_invoices
from .demo.order_flow import run_demo_order_flow


def post_init_hook(env):
    # what demo data cannot say in XML: invoices staged and audited as a carrier's would
    # be, a history of disputes settled with the carrier, and one order carried from the
    # sale to the customer's delivery notice
    create_demo_invoices(env)
    create_demo_disputes(env)
    run_demo_order_flow(env)
