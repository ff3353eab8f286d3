"""Shared by the JSON routes of the web screens (workbench, dashboard): their prefix, and
bad parameters turned into a UserError, which Odoo's JSON-RPC answers in words."""

from odoo.exceptions import UserError

UI = "/freight_sync/ui/v1"


def checked(parse, *args):
    """``parse(*args)``; its ValueError (the services' BadRequest, BadParams) as a UserError."""
    try:
        return parse(*args)
    except ValueError as error:
        raise UserError(str(error)) from None
