"""Installs app/, crypto/ and onion/ (and the templates) under the one import name `movements`,
and compiles the message catalogs as part of every install, so no .mo file is ever committed.

The folders keep the names the design gives them in the repository; installed, they become
`movements.app`, `movements.crypto`, `movements.onion` and `movements.templates`, so nothing
generic lands in site-packages. `pip install .` (and `make run`) compiles each
app/translations/<lang>/LC_MESSAGES/messages.po into the built package; `pip install -e .`
compiles it in place, next to its .po. Everything else is in pyproject.toml.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

CODE_FOLDERS = ("app", "crypto", "onion")
PACKAGES = [
    f"movements.{name}"
    for folder in CODE_FOLDERS
    for name in (folder, *(f"{folder}.{sub}" for sub in find_packages(folder)))
]
CATALOGS = Path("app") / "translations"
INSTALLED_CATALOGS = Path("movements") / "app" / "translations"


def compile_catalogs(source: Path, target: Path) -> None:
    """Each catalog's translated, non-fuzzy messages, as the .mo gettext reads."""
    for po in sorted(source.glob("*/LC_MESSAGES/messages.po")):
        mo = target / po.relative_to(source).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with open(po, "rb") as handle:
            catalog = read_po(handle)
        with open(mo, "wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)


class BuildWithCatalogs(build_py):
    def run(self):
        super().run()
        if self.editable_mode:
            compile_catalogs(CATALOGS, CATALOGS)
        else:
            compile_catalogs(CATALOGS, Path(self.build_lib) / INSTALLED_CATALOGS)


setup(
    packages=[*PACKAGES, "movements.templates"],
    package_dir={f"movements.{folder}": folder for folder in (*CODE_FOLDERS, "templates")},
    cmdclass={"build_py": BuildWithCatalogs},
)
