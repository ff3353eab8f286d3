from . import freight_accrual_report
