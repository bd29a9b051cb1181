"""The SDK compatibility ledger: every public method of `TallyfySDK` is driven by at least one
test in `tests/compat/` marked `@pytest.mark.sdk("<method>")`, and a run prints how many of
them pass (see the summary hook in `conftest.py`)."""

import ast
import inspect
from pathlib import Path

from tallyfy import TallyfySDK

COMPAT_TESTS = Path(__file__).parent


def sdk_methods() -> list[str]:
    """The 107 public methods of `TallyfySDK` 3.1.0, `close` aside."""
    return sorted(
        name
        for name, _ in inspect.getmembers(TallyfySDK, inspect.isfunction)
        if not name.startswith("_") and name != "close"
    )


def marked_methods() -> set[str]:
    """Every method named by a `pytest.mark.sdk(...)` in the compat tests, read from source so
    the check holds however few tests a run selects."""
    named: set[str] = set()
    for path in COMPAT_TESTS.glob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "sdk"
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr == "mark"
            ):
                named |= {arg.value for arg in node.args if isinstance(arg, ast.Constant)}
    return named


def test_the_sdk_has_the_107_methods_this_ledger_counts() -> None:
    assert len(sdk_methods()) == 107


def test_every_marker_names_a_real_sdk_method() -> None:
    assert marked_methods() - set(sdk_methods()) == set()


def test_every_sdk_method_is_driven_by_a_test() -> None:
    assert sorted(set(sdk_methods()) - marked_methods()) == []
