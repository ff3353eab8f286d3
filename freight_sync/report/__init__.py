from . import freight_accrual_report
from . import freight_dispute_packet
