from . import freight_message
