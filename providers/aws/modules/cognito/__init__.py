"""aws:cognito/* types: user pools and their clients and domains, and identity pools; importing registers them."""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
