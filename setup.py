"""Installs app/, crypto/ and onion/ (and the templates) under the one import name `movements`.

The folders keep the names the design gives them in the repository; installed, they become
`movements.app`, `movements.crypto`, `movements.onion` and `movements.templates`, so nothing
generic lands in site-packages. Everything else about the distribution is in pyproject.toml.
"""

from setuptools import find_packages, setup

CODE_FOLDERS = ("app", "crypto", "onion")
PACKAGES = [
    f"movements.{name}"
    for folder in CODE_FOLDERS
    for name in (folder, *(f"{folder}.{sub}" for sub in find_packages(folder)))
]

setup(
    packages=[*PACKAGES, "movements.templates"],
    package_dir={f"movements.{folder}": folder for folder in (*CODE_FOLDERS, "templates")},
)
