"""The crypto package stands alone: no Flask, no app, no onion, only two dependencies."""

import ast
import subprocess
import sys
from pathlib import Path

from movements import crypto

PACKAGE = Path(crypto.__file__).parent
ALLOWED_THIRD_PARTY = {"cryptography", "argon2"}


def _imported_top_levels(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_crypto_imports_only_the_standard_library_cryptography_and_argon2():
    for path in sorted(PACKAGE.glob("*.py")):
        foreign = _imported_top_levels(path) - set(sys.stdlib_module_names)
        assert foreign <= ALLOWED_THIRD_PARTY, (path.name, foreign)


def test_importing_crypto_pulls_in_no_flask_app_or_onion():
    code = (
        "import sys, movements.crypto; "
        "print(sorted(m for m in ('flask', 'movements.app', 'movements.onion', 'werkzeug') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "[]"


def test_public_api_is_exported():
    for name in crypto.__all__:
        assert hasattr(crypto, name), name
