from . import invoices
