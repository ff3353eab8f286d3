from . import controllers
from . import models
from . import report
from . import wizards
from .demo.invoices import create_demo_invoices
from .demo.order_flow import run_demo_order_flow


def post_init_hook(env):
    # what demo data cannot say in XML: invoices staged and audited as a carrier's would
    # be, and one order carried from the sale to the customer's delivery notice
    create_demo_invoices(env)
    run_demo_order_flow(env)
