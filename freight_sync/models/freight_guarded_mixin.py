"""Fields that only the application's own methods write (the audit, the intake, the
decision actions, the status derived from milestones), whoever calls ``write`` or ``create``.

Readonly in a view is not a control: ``write`` is one XML-RPC call away. So ``create`` and
``write`` refuse these fields unless the environment carries a pass that only server code
can make. A plain context key would not do, since JSON-RPC and XML-RPC callers choose their
context: the pass is the key's *value*, a module-level object compared with ``is``. Neither
JSON nor XML-RPC can carry this very object (they carry strings, numbers, lists and dicts),
and ``_with_guarded_rights`` is private (a leading underscore: not callable over RPC), so
no caller outside the server can forge it, whatever its group; not even an administrator.
"""

from odoo import _, api, models
from odoo.exceptions import AccessError

GUARD_KEY = "freight_guarded_write"
_PASS = object()


class FreightGuardedMixin(models.AbstractModel):
    _name = "freight.guarded.mixin"
    _description = "Fields written only by the application's own methods"
    # the fields callers may not write; each model says why in _freight_guarded_message
    _freight_guarded_fields = frozenset()

    def _with_guarded_rights(self):
        """These records in an environment whose writes may change the guarded fields. Use
        it for the write itself, not as the environment the caller keeps working in."""
        return self.with_context(**{GUARD_KEY: _PASS})

    def _has_guarded_rights(self):
        return self.env.context.get(GUARD_KEY) is _PASS

    def _freight_guarded_message(self, labels):
        return _("%(fields)s of %(model)s are set by the application only.",
                 fields=", ".join(labels), model=self._description)

    def _check_guarded(self, field_names):
        if self._has_guarded_rights():
            return
        touched = sorted(set(field_names) & self._freight_guarded_fields)
        if touched:
            raise AccessError(self._freight_guarded_message(
                [self._fields[name].string for name in touched]))

    @api.model_create_multi
    def create(self, vals_list):
        # a ``default_<field>`` context key is a value too: the ORM fills it in after this
        defaults = [key[len("default_"):] for key in self.env.context
                    if key.startswith("default_")]
        self._check_guarded([*defaults, *(name for vals in vals_list for name in vals)])
        return super().create(vals_list)

    def write(self, vals):
        self._check_guarded(vals)
        return super().write(vals)
