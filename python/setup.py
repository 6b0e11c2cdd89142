"""Builds the Swift library libMCGradC in release and puts it in the package.

The Swift runtime is linked into the library (--static-swift-stdlib), so it
loads in any Python process on the same platform. With the repository's
Package.resolved present, the dependencies are the versions it pins.
"""
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LIBRARY = "libMCGradC.dylib" if sys.platform == "darwin" else "libMCGradC.so"


def build_library() -> Path:
    prebuilt = os.environ.get("MCGRAD_LIBRARY")
    if prebuilt:
        return Path(prebuilt)
    if not (ROOT / "Package.swift").exists():
        sys.exit(f"mcgrad: {ROOT} is not the MCGrad repository; install with `pip install ./python` from a clone")
    if shutil.which("swift") is None:
        sys.exit("mcgrad: `swift` is not on PATH; the package builds MCGrad's Swift library (Swift 6.1 or later)")
    wrapper = shlex.split(os.environ.get("MCGRAD_BUILD_WRAPPER", ""))
    arguments = ["-c", "release", "--package-path", str(ROOT)]
    command = wrapper + ["swift", "build", *arguments, "--product", "MCGradC"]
    if (ROOT / "Package.resolved").exists():
        command.append("--force-resolved-versions")
    print("mcgrad:", " ".join(command), file=sys.stderr)
    subprocess.run(command, check=True)
    binaries = subprocess.run(["swift", "build", *arguments, "--show-bin-path"], check=True, capture_output=True,
                              text=True).stdout.strip()
    return Path(binaries) / LIBRARY


class BuildWithSwift(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "mcgrad"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(build_library(), target / LIBRARY)


class PlatformDistribution(Distribution):
    """The wheel holds a native library, so it is tagged for this platform."""

    def has_ext_modules(self):
        return True


setup(cmdclass={"build_py": BuildWithSwift}, distclass=PlatformDistribution)
