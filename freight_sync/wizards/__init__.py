from . import freight_endpoint_key
from . import freight_message_ignore
from . import freight_message_export
from . import freight_invoice_resolve
from . import freight_invoice_import
from . import freight_integrity_check
from . import freight_shipment_demand
from . import freight_shipment_item_correct
