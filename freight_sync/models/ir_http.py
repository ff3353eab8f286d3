from odoo import models
from odoo.http import request

from ..controllers.common import API, unexpected_error_response


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _handle_error(cls, exception):
        """Machine routes answer the JSON error contract whatever went wrong: their callers
        are programs, which cannot read an HTML error page."""
        if request and request.httprequest.path.startswith(f"{API}/"):
            return unexpected_error_response(exception)
        return super()._handle_error(exception)
