"""Every public name carries a worked example, run as a doctest (issue: docs like statistics.py).

The test walks every module of the package and, for each name in its `__all__` that is a
function or a class defined there, asserts a docstring with an `Examples:` section holding at
least one `>>>` line; for a class, each public method it defines (not its properties, not
methods it inherits) must have one too. The examples themselves run under `--doctest-modules`.

`NOT_YET` lists the modules that do not hold yet, each with the reason. It only shrinks: remove
a module from it when its public names carry their examples (the last test fails while a listed
module already passes, so the list stays honest).
"""

import importlib
import inspect
import pkgutil

import pytest

import mteam

NOT_YET = {
}


def _modules():
    names = ["mteam"]
    for info in pkgutil.walk_packages(mteam.__path__, "mteam."):
        if info.name.endswith("__main__"):
            continue
        names.append(info.name)
    return sorted(names)


def _has_example(obj):
    doc = inspect.getdoc(obj) or ""
    if "Examples:" not in doc:
        return False
    return ">>>" in doc.split("Examples:", 1)[1]


def _public_methods(cls):
    for name, member in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(member, (staticmethod, classmethod)):
            member = member.__func__
        if inspect.isfunction(member):
            yield name, member


def _missing(module_name):
    module = importlib.import_module(module_name)
    out = []
    for name in getattr(module, "__all__", ()):
        obj = getattr(module, name)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue  # constants are documented where they are defined
        if getattr(obj, "__module__", None) != module_name:
            continue  # a re-export is checked in the module that defines it
        if not _has_example(obj):
            out.append(name)
        if inspect.isclass(obj):
            out.extend(f"{name}.{m}" for m, f in _public_methods(obj) if not _has_example(f))
    return out


MODULES = _modules()


@pytest.mark.parametrize("module_name", [m for m in MODULES if m not in NOT_YET])
def test_every_public_name_has_an_example(module_name):
    assert _missing(module_name) == []


@pytest.mark.parametrize("module_name", sorted(NOT_YET))
def test_the_not_yet_list_only_names_modules_that_still_miss_examples(module_name):
    assert module_name in MODULES, "the module is gone: remove it from NOT_YET"
    assert _missing(module_name), "every public name has its example: remove it from NOT_YET"


def test_the_check_itself():
    def documented():
        """Do nothing.

        Examples:
            >>> documented()
        """

    def bare():
        """Do nothing."""

    assert _has_example(documented)
    assert not _has_example(bare)
