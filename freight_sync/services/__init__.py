"""Pure business rules of freight_sync.

Nothing in this package imports ``odoo``: models and controllers are thin shells around
these functions, so the rules can be tested fast and reused by every intake path.
"""
