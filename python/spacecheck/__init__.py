"""spacecheck: a compliance linter and validator for Hugging Face Docker Spaces.

The wheel carries the `spacecheck` binary in the environment's scripts folder. This package
only finds it, for `python -m spacecheck` and for tools that want its path.
"""

from __future__ import annotations

import os
import sys
import sysconfig

__all__ = ["find_spacecheck_bin"]


def _candidates() -> list[str]:
    """The scripts folders a wheel's binary may have been installed to, most likely first."""
    exe = "spacecheck" + (sysconfig.get_config_var("EXE") or "")
    folders = [sysconfig.get_path("scripts")]
    # `pip install --user` puts scripts under the user scheme.
    user_scheme = "nt_user" if os.name == "nt" else "posix_user"
    try:
        folders.append(sysconfig.get_path("scripts", scheme=user_scheme))
    except KeyError:
        pass
    # A `pip install --target DIR` or a build environment: beside the package, in DIR/bin.
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    folders.append(os.path.join(package_root, "bin"))
    return [os.path.join(folder, exe) for folder in folders if folder]


def find_spacecheck_bin() -> str:
    """The path of the spacecheck binary installed with this package."""
    for path in _candidates():
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise FileNotFoundError(
        "the spacecheck binary is not installed beside this package (looked in: "
        + ", ".join(_candidates())
        + "); reinstall it with `pip install --force-reinstall spacecheck`"
    )


def main() -> "int | None":
    """Runs the binary with this process's arguments and returns its exit code."""
    binary = find_spacecheck_bin()
    args = [binary, *sys.argv[1:]]
    if os.name == "nt":
        import subprocess

        return subprocess.run(args).returncode
    # On POSIX the binary replaces this process: signals and exit codes are its own.
    os.execv(binary, args)
    return None
