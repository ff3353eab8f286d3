from . import edi
from . import machine
