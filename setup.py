"""Install the top-level folders as one namespace, `qed.agent`, `qed.verifiers`, ...

The folders stay where the user asked for them; installed, they live under `qed` so that nothing
collides with other distributions' top-level `verifiers` or `cli` packages. Everything else about
the distribution is in pyproject.toml.
"""

from setuptools import find_namespace_packages, setup

FOLDERS = ["agent", "verifiers", "memory", "models", "problems", "cli"]

packages: list[str] = []
package_dir: dict[str, str] = {}
for folder in FOLDERS:
    package_dir[f"qed.{folder}"] = folder
    packages += [f"qed.{folder}", *(f"qed.{folder}.{sub}" for sub in find_namespace_packages(folder, exclude=["*__pycache__*"]))]

setup(packages=packages, package_dir=package_dir)
