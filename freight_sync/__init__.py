import logging

from . import controllers
from . import models
from . import report
from . import wizards
from .demo.disputes import create_demo_disputes
from .demo.invoices import create_demo_invoices
from .demo.ltl import create_demo_ltl
from .demo.order_flow import run_demo_order_flow
from .services.log_hygiene import withhold_values


class _WithheldValues(logging.Filter):
    """A failed statement is logged without its values (services/log_hygiene.py), whatever
    module ran it: in this process, once this addon is loaded."""

    def filter(self, record):
        record.msg, record.args = withhold_values(record.msg, record.args)
        return True


_SQL_LOGGER = logging.getLogger("odoo.sql_db")
if not any(isinstance(f, _WithheldValues) for f in _SQL_LOGGER.filters):
    _SQL_LOGGER.addFilter(_WithheldValues())


def post_init_hook(env):
    # what demo data cannot say in XML: invoices staged and audited as a carrier's would
    # be, a history of disputes settled with the carrier, and one order carried from the
    # sale to the customer's delivery notice; an LTL carrier's invoices, one per rating rule
    create_demo_invoices(env)
    create_demo_disputes(env)
    run_demo_order_flow(env)
    create_demo_ltl(env)
