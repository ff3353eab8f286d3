import os
import threading

import psycopg2
from psycopg2 import sql

from odoo import models
from odoo.sql_db import connection_info_for

from odoo.addons.base.models.ir_cron import ODOO_NOTIFY_FUNCTION

# this process's connection to the "postgres" database, for the notifications only
_NOTIFIER = {"pid": None, "connection": None}
# connections a forked process inherited: kept, never closed nor freed, since closing
# one would end the parent's session over the socket they share
_INHERITED = []
_NOTIFIER_LOCK = threading.Lock()


class IrCron(models.Model):
    _inherit = "ir.cron"

    def _notifydb(self):
        """Odoo's wake-up of the cron workers, over a connection kept open.

        Odoo opens a connection to the ``postgres`` database for each notification and
        closes it after (its pool keeps none there): a new PostgreSQL backend, about 8 ms,
        for each request of the machine routes, which wake the inbox lanes. The
        connection is this process's own (a forked worker opens its own) and is opened
        again once if it broke; failing that, Odoo's own way is used."""
        query = sql.SQL("SELECT {}('cron_trigger', %s)").format(
            sql.Identifier(ODOO_NOTIFY_FUNCTION))
        with _NOTIFIER_LOCK:
            for _attempt in range(2):
                try:
                    with _notifier().cursor() as cr:
                        cr.execute(query, [self.env.cr.dbname])
                    return
                except psycopg2.Error:
                    _close_notifier()
        super()._notifydb()


def _notifier():
    if _NOTIFIER["pid"] not in (None, os.getpid()):
        _INHERITED.append(_NOTIFIER["connection"])
        _NOTIFIER.update(pid=None, connection=None)
    if _NOTIFIER["connection"] is None or _NOTIFIER["connection"].closed:
        _dbname, info = connection_info_for("postgres")
        connection = psycopg2.connect(**info)
        connection.autocommit = True
        _NOTIFIER.update(pid=os.getpid(), connection=connection)
    return _NOTIFIER["connection"]


def _close_notifier():
    connection, _NOTIFIER["connection"], _NOTIFIER["pid"] = _NOTIFIER["connection"], None, None
    if connection is not None and not connection.closed:
        connection.close()
