import importlib.util
import threading
from contextlib import contextmanager
from datetime import timedelta

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.tests import TransactionCase, new_test_user
from odoo.tools import mute_logger
from odoo.tools.misc import file_path

# what a collision retried by Odoo logs on its way: the failed statement, the retry
COLLISION_LOGGERS = ("odoo.sql_db", "odoo.service.model")


@contextmanager
def committed_env(registry):
    """An environment on a cursor of its own, committed when the block ends: what another
    worker (another transaction) does and sees, outside the test's transaction."""
    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, {})


def load_migration(version, script):
    """A migration script of the module, e.g. ``("17.0.1.2.0", "pre-migration")``."""
    path = file_path(f"freight_sync/migrations/{version}/{script}.py")
    spec = importlib.util.spec_from_file_location(f"freight_sync_{script}_{version}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FreightCase(TransactionCase):
    """A carrier and helpers to make shipments and milestones relative to now."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.carrier = cls.env["res.partner"].create(
            {"name": "Test Carrier", "is_company": True, "is_freight_carrier": True,
             "freight_scac": "TSTC"}
        )
        cls.now = fields.Datetime.now().replace(microsecond=0)

    @classmethod
    def hours_ago(cls, hours):
        return cls.now - timedelta(hours=hours)

    @classmethod
    def make_shipment(cls, **values):
        return cls.env["freight.shipment"].create({"carrier_id": cls.carrier.id, **values})

    @classmethod
    def add(cls, shipment, code, hours_ago, **values):
        return shipment.env["freight.milestone"].create(
            {"shipment_id": shipment.id, "code": code,
             "event_time": cls.hours_ago(hours_ago), **values}
        )


def side_by_side(work, workers=(0, 1), timeout=60):
    """``work(worker)`` in one thread per worker, started together, joined; the loggers of
    the collisions the workers are expected to meet are muted meanwhile."""
    threads = [threading.Thread(target=work, args=(worker,)) for worker in workers]
    with mute_logger(*COLLISION_LOGGERS):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout)


# The browser tests' scripts: ``find(selector)`` waits for an element (20 s at most); the
# script ends with "test successful" or throws.
BROWSER_SCRIPT = """
(async () => {
    const find = async (selector) => {
        for (let tries = 0; tries < 200; tries++) {
            const element = document.querySelector(selector);
            if (element) return element;
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        throw new Error(`nothing matches ${selector}`);
    };
{steps}
    console.log("test successful");
})();
"""


def browser_script(steps: str) -> str:
    """``steps`` (JavaScript using ``find``) as a script for ``HttpCase.browser_js``."""
    return BROWSER_SCRIPT.replace("{steps}", steps.strip("\n"))


ROLE_GROUPS = {"dispatcher": "freight_sync.group_freight_user",
               "clerk": "freight_sync.group_freight_billing",
               "manager": "freight_sync.group_freight_manager"}


def role_users(env, prefix, roles=tuple(ROLE_GROUPS), company=None):
    """A user per freight role (logins ``<prefix>_<role>``), of ``company`` only when
    given: ``{"dispatcher": ..., "clerk": ..., "manager": ...}``."""
    where = {"company_id": company.id, "company_ids": [Command.set(company.ids)]} if company \
        else {}
    return {role: new_test_user(env, login=f"{prefix}_{role}",
                                groups=f"base.group_user,{ROLE_GROUPS[role]}", **where)
            for role in roles}
