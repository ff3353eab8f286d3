from . import test_js
