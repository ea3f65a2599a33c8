"""aws:lb/* types and invokes (with their aws:alb twins), one file per resource family; importing registers them."""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
