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

NOT_YET: dict[str, str] = {}  # a package name would cover its submodules


def _modules():
    """Every public module of the package (none whose name has a part starting with `_`)."""
    names = ["mteam"]
    for info in pkgutil.walk_packages(mteam.__path__, "mteam."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        names.append(info.name)
    return sorted(names)


def _listed(module_name):
    return any(module_name == n or module_name.startswith(f"{n}.") for n in NOT_YET)


def _has_example(obj):
    doc = inspect.getdoc(obj) or ""
    if "Examples:" not in doc:
        return False
    return ">>>" in doc.split("Examples:", 1)[1]


def _public_methods(cls):
    for name, member in vars(cls).items():
        if name.startswith("_"):
            continue
        function = member.__func__ if isinstance(member, (staticmethod, classmethod)) else member
        if inspect.isfunction(function):
            yield name, function


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


@pytest.mark.parametrize("module_name", [m for m in MODULES if not _listed(m)])
def test_every_public_name_has_an_example(module_name):
    assert _missing(module_name) == []


@pytest.mark.parametrize("name", sorted(NOT_YET))
def test_the_not_yet_list_only_names_modules_that_still_miss_examples(name):
    covered = [m for m in MODULES if m == name or m.startswith(f"{name}.")]
    if not covered:
        pytest.skip(f"{name} is not in the package yet")
    missing = [(m, _missing(m)) for m in covered]
    assert any(names for _, names in missing), (
        f"every public name of {name} has its example: remove it from NOT_YET"
    )


def test_the_not_yet_list_says_why():
    assert all(reason.strip() for reason in NOT_YET.values())


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
