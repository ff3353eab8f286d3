"""17.0.1.3.0: each item of an inbound message has its own outcome (issue 12, item 3).
Items of messages processed before the upgrade get one: applied when their message is done,
else waiting, so a retry or replay runs them again (every handler is
idempotent: what an earlier run applied is found, not applied twice). Messages and their
keys are left as they are; an X12 interchange stored before now has the key of its sender
and control number only, so its resend after the upgrade is judged by its items (all
known: 200, nothing stored)."""

from odoo.tools import SQL


def fill_item_states(cr):
    cr.execute(SQL("""
        UPDATE freight_message_event AS e
           SET state = CASE WHEN m.state = 'done' THEN 'applied'
                            ELSE 'pending' END
          FROM freight_message AS m
         WHERE m.id = e.message_id AND e.state IS NULL"""))


def migrate(cr, version):
    if version:
        fill_item_states(cr)
