"""A griffe extension for the API reference: the docstrings that smallnet sets when a module is
imported (the estimators share one template), which reading the source alone can't see."""

import importlib
import inspect

import griffe


class RuntimeDocstrings(griffe.Extension):
    def on_class_instance(self, *, node, cls, agent, **kwargs):
        if cls.docstring is not None or not cls.path.startswith("smallnet."):
            return
        try:
            doc = getattr(importlib.import_module(cls.module.path), cls.name).__doc__
        except (ImportError, AttributeError):  # an extra the docs build lacks: no docstring then
            return
        if doc:
            cls.docstring = griffe.Docstring(inspect.cleandoc(doc), parent=cls)
