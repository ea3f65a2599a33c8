"""The package layout: the repository root reads as the project's layout (cli/, ledger/, engine/, providers/, cloud/
beside envctl/, the small core), while every import lives under one namespace, `envctl.*`, so nothing collides in
site-packages. Each top-level folder is mapped onto its `envctl.<name>` package; the metadata is in pyproject.toml."""

from setuptools import find_packages, setup

FOLDERS = {
    "envctl": "envctl",
    "envctl.cli": "cli",
    "envctl.ledger": "ledger",
    "envctl.engine": "engine",
    "envctl.providers": "providers",
    "envctl.cloud": "cloud",
}


def packages() -> list[str]:
    found = []
    for package, folder in FOLDERS.items():
        found.append(package)
        found.extend(f"{package}.{sub}" for sub in find_packages(folder) if f"{package}.{sub}" not in FOLDERS)
    return found


setup(package_dir=FOLDERS, packages=packages())
