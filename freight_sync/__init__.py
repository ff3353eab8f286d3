from . import controllers
from . import models
from . import report
from . import wizards
from .demo.invoices import create_demo_invoices


def post_init_hook(env):
    # what demo data cannot say in XML: invoices staged and audited as a carrier's would be
    create_demo_invoices(env)
