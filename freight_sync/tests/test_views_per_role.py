from lxml import etree

from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools.view_validation import get_expression_field_names

from .test_security import ROLE_GROUPS

# what each role opens: the models whose form and list the freight menus show
MODELS = ("freight.shipment", "freight.invoice", "freight.exception", "freight.message",
          "freight.tender", "freight.subscription", "freight.endpoint",
          "freight.rate.contract")
CONDITIONS = ("invisible", "readonly", "required", "column_invisible")


@tagged("freight_sync", "post_install", "-at_install")
class TestViewsPerRole(TransactionCase):
    """A field a role may not read is removed from the views it gets; a condition still
    naming it breaks the whole form in the browser ("Name ... is not defined"), which no
    access test sees. Every condition of every view a role gets names only fields that
    view still holds."""

    def test_conditions_name_only_fields_the_role_gets(self):
        for role, groups in ROLE_GROUPS.items():
            if role in ("integration", "employee"):
                continue  # no freight menu
            user = new_test_user(self.env, login=f"views_{role}",
                                 groups=f"base.group_user,{groups}")
            for model in MODELS:
                Model = self.env[model].with_user(user)
                if not Model.check_access_rights("read", raise_exception=False):
                    continue
                views = Model.get_views([(False, "form"), (False, "list")])
                for view_type, view in views["views"].items():
                    with self.subTest(role=role, model=model, view=view_type):
                        self.assertEqual(self._unknown_names(view["arch"]), set())

    @staticmethod
    def _unknown_names(arch):
        """Names used in conditions that are neither a field of the view (at the same
        level: a sub-view's own fields for its conditions) nor a context name."""
        tree = etree.fromstring(arch)
        unknown = set()
        for node in tree.iter():
            for attribute in CONDITIONS:
                expression = node.get(attribute)
                if not expression or expression in ("1", "0", "True", "False"):
                    continue
                scope = TestViewsPerRole._scope(node)
                known = {field.get("name") for field in scope.iter("field")
                         if TestViewsPerRole._scope(field) is scope}
                names = get_expression_field_names(expression) - {"parent", "context", "uid",
                                                                   "id", "active_id"}
                unknown |= {f"{node.tag}:{name}" for name in names - known
                            if not name.startswith("parent.")}
        return unknown

    @staticmethod
    def _scope(node):
        """The view (form, tree, kanban...) a node's conditions are evaluated in."""
        parent = node.getparent()
        while parent is not None and parent.tag not in ("form", "tree", "kanban", "search"):
            parent = parent.getparent()
        return parent if parent is not None else node
