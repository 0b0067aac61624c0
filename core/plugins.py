"""The plugin manager; built-in providers are registered through the same hooks as plugins."""

import pluggy

from . import hookspecs

DEFAULT_PLUGINS = ("core.providers.builtin", "core.analytics.budgets", "core.brand.plugin")

pm = pluggy.PluginManager("contentcraft")
pm.add_hookspecs(hookspecs)
pm.load_setuptools_entrypoints("contentcraft")
for _module_name in DEFAULT_PLUGINS:
    pm.register(__import__(_module_name, fromlist=["*"]), name=_module_name)
