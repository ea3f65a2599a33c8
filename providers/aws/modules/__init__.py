"""The aws:* resource types and invokes, in the module of their token (`aws:ec2/...` in `ec2`): one file per
Pulumi module, or a package with one file per resource family where a module is large. Importing registers them."""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
