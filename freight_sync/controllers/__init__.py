from . import edi
from . import machine
from . import workbench
from . import dashboard
from . import rate_shop
from . import tender
from . import monitoring
