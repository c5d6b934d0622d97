"""Builds the dependencies layers as Lambda loads them: `python/` = locked wheels + `coaching`.

Two layers from the one lock (README, "The layers"): the shared layer every function runs
with, and the exports layer of the functions that write Parquet (`export`, `search_backup`).
pyarrow does not fit beside the shared layer's search and LLM clients in Lambda's 250 MB, so
the exports layer carries pyarrow (trimmed of what Parquet files never load) in place of
those clients and the Word parser, which neither export nor backup imports: both read
PostgreSQL, the copy of record. Each is a subset of one install, chosen by distribution
(the wheels' RECORD files).

`make layer` runs this module; `cdk/layer.py` deploys what it built and the rehearsal
(tests/rehearsal) imports from it, so the three agree on one folder. The wheels are
installed for Lambda's platform (manylinux x86_64, binary only) from the lock, with its
hashes; the install is cached under `build/layer-cache/`, keyed on the lock's hash and the
Python version, so a rebuild with an unchanged lock only copies our package again.

No AWS CDK import here: the Makefile, the rehearsal and the cold-start bench use it too.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
LAYERS_ROOT = REPO_ROOT / "layers"
PACKAGE = "coaching"
REQUIREMENTS = LAYERS_ROOT / "requirements.in"
LOCK = LAYERS_ROOT / "requirements.lock"
BUILD_ROOT = REPO_ROOT / "build"
CACHE_ROOT = BUILD_ROOT / "layer-cache"
STAMP = "BUILD.json"

# The deployed runtime (cdk/layer.py RUNTIME) and platform: AL2023's glibc is 2.34, and
# manylinux_2_28 wheels are the newest tag every locked package publishes.
DEPLOYED_PYTHON = "3.13"
PLATFORM = "x86_64-manylinux_2_28"
# The Lambda runtime's own SDK and what it brings: never packaged (boto3 comes with python3.13).
RUNTIME_PROVIDED = (
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "python-dateutil",
    "six",
    "urllib3",
)
# Nothing Lambda runs: test suites inside packages, bytecode written on this machine, scripts.
STRIPPED_DIRS = ("__pycache__", "tests", "bin")
# Locked (opensearch-py requires them) but never imported: its gRPC transport, which our
# OpenSearch adapter does not use (~22 MB). The rehearsal imports every handler without them.
NEVER_IMPORTED = ("opensearch-protobufs", "grpcio", "protobuf")
# Only in the exports layer.
EXPORTS_ONLY = ("pyarrow",)
# Only in the shared layer: the search and analyzer clients (openai 20 MB, pinecone 14 MB,
# opensearch-py 5 MB) and Word transcripts' parser (python-docx and its lxml, 15 MB).
NOT_EXPORTED = ("openai", "pinecone", "opensearch-py", "python-docx", "lxml")
# What pyarrow ships that writing and reading Parquet, CSV and JSON never loads (163 -> 100 MB):
# C++ headers and Cython sources, Arrow Flight (RPC), the S3/GCS/Azure/HDFS file systems
# (files go through boto3), ORC, Substrait's Python module, its C++ tests, and the unversioned
# copies of shared libraries a wheel holds for linking (the loader asks for `.so.<ABI>`).
PYARROW_UNUSED = (
    "include", "src", "*.pxd", "*.pyx", "*.pxi", "includes/*.pxd",
    "libarrow_flight.so*", "libarrow_python_flight.so*", "_flight.cpython-*",
    "libarrow_s3.so*", "_s3fs.cpython-*", "_gcsfs.cpython-*", "_azurefs.cpython-*",
    "_hdfs.cpython-*", "_orc.cpython-*", "_dataset_orc.cpython-*", "_substrait.cpython-*",
    "_pyarrow_cpp_tests.cpython-*",
    "libarrow*.so", "libparquet*.so", "libarrow*.so.*.*.*", "libparquet*.so.*.*.*",
)  # fmt: skip
# Published only as an sdist; pure Python, so building it gives the same files on any platform.
SOURCE_ONLY = ("srt",)
UNZIPPED_LIMIT_BYTES = 250 * 1024 * 1024  # layers + function code, unzipped


class LayerBuildError(RuntimeError):
    """The layer could not be built, or the built one does not match the lock."""


@dataclass(frozen=True)
class BuiltLayer:
    root: Path  # holds python/ and BUILD.json: the layer's zip root
    python_version: str
    lock_sha256: str

    @property
    def site(self) -> Path:
        return self.root / "python"

    @property
    def is_deployed_runtime(self) -> bool:
        return self.python_version == DEPLOYED_PYTHON


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def layer_dir(python_version: str, kind: LayerKind | None = None) -> Path:
    """`build/layer` for the deployed runtime; a layer for another interpreter lives apart,
    and the exports layer beside the shared one (`build/layer-exports`)."""
    suffix = "" if kind is None or kind == SHARED else f"-{kind.name}"
    if python_version == DEPLOYED_PYTHON:
        return BUILD_ROOT / f"layer{suffix}"
    return BUILD_ROOT / f"layer{suffix}-py{python_version}"


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def find_python(version: str = DEPLOYED_PYTHON) -> str | None:
    """An interpreter of that version on this machine (PATH, then pyenv), or None."""
    candidates = [shutil.which(f"python{version}")]
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(
        str(p) for p in pyenv_root.glob(f"versions/{version}*/bin/python{version}")
    )
    for candidate in filter(None, candidates):
        probe = subprocess.run(  # noqa: S603 - our own candidate interpreters
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    return None


def current_python_version() -> str:
    return "{}.{}".format(*sys.version_info[:2])


def _uv() -> str:
    uv = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    if not Path(uv).exists():
        raise LayerBuildError("uv is needed to build the layer: `pip install uv`.")
    return uv


def compile_lock(output: Path, python_version: str = DEPLOYED_PYTHON) -> None:
    """requirements.in -> a lock with hashes for Lambda's platform (`make lock`)."""
    command = [
        _uv(), "pip", "compile", str(REQUIREMENTS), "--quiet",
        "--python-version", python_version, "--python-platform", PLATFORM,
        "--generate-hashes", "--custom-compile-command", "make lock", "-o", str(output),
    ]  # fmt: skip
    for name in RUNTIME_PROVIDED:
        command += ["--no-emit-package", name]
    subprocess.run(command, check=True, cwd=REPO_ROOT)  # noqa: S603 - fixed arguments


def _install_dependencies(lock: Path, python_version: str, target: Path) -> None:
    command = [
        _uv(), "pip", "install", "--quiet", "--target", str(target), "-r", str(lock),
        "--python-version", python_version, "--python-platform", PLATFORM,
        "--only-binary", ":all:", "--require-hashes", "--no-deps", "--link-mode", "copy",
    ]  # fmt: skip
    for name in SOURCE_ONLY:
        command += ["--no-binary", name]
    subprocess.run(command, check=True)  # noqa: S603 - fixed arguments


def strip(site: Path) -> None:
    for name in STRIPPED_DIRS:
        for folder in sorted(site.rglob(name), key=lambda p: len(p.parts), reverse=True):
            if folder.is_dir():
                shutil.rmtree(folder)
    for compiled in site.rglob("*.py[co]"):
        compiled.unlink()
    trim_pyarrow(site / "pyarrow")


def trim_pyarrow(package: Path) -> None:
    if not package.is_dir():
        return
    for pattern in PYARROW_UNUSED:
        for path in package.glob(pattern):
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists() or path.is_symlink():
                path.unlink()


def _normalized(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def top_level_owners(site: Path) -> dict[str, set[str]]:
    """Each top-level entry of an installed site -> the distributions whose RECORD lists it."""
    owners: dict[str, set[str]] = {}
    for info in site.glob("*.dist-info"):
        distribution = _normalized(info.name.removesuffix(".dist-info").rsplit("-", 1)[0])
        owners.setdefault(info.name, set()).add(distribution)
        record = info / "RECORD"
        if not record.is_file():
            continue
        for line in record.read_text(encoding="utf-8").splitlines():
            top = line.split(",", 1)[0].split("/", 1)[0]
            if top and top != "..":
                owners.setdefault(top, set()).add(distribution)
    return owners


@dataclass(frozen=True)
class LayerKind:
    """Which distributions of the installed lock a layer leaves out."""

    name: str
    excluded: tuple[str, ...]

    def keeps(self, owners: set[str]) -> bool:
        """An entry no distribution claims (a top-level `__pycache__`) is kept; one claimed
        only by excluded distributions is not."""
        excluded = {_normalized(name) for name in self.excluded}
        return not owners or bool(owners - excluded)


SHARED = LayerKind("shared", (*NEVER_IMPORTED, *EXPORTS_ONLY))
EXPORTS = LayerKind("exports", (*NEVER_IMPORTED, *NOT_EXPORTED))
LAYER_KINDS = (SHARED, EXPORTS)


def compile_bytecode(folder: Path, python_version: str) -> bool:
    """Bytecode for that Python beside the sources, as `__pycache__/*.cpython-3XX.pyc`.

    Lambda's /opt is read-only: without shipped bytecode every cold start compiles all it
    imports (measured here: ~4x slower init). `unchecked-hash` pycs are used as they are,
    with no timestamps in them, so the build stays reproducible. Needs that interpreter;
    without it the layer ships sources only (correct, slower to start) and says so.
    """
    python = (
        sys.executable if python_version == current_python_version() else None
    ) or find_python(python_version)
    if python is None:
        print(f"no python{python_version} here: the layer ships without bytecode", file=sys.stderr)
        return False
    command = [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash"]
    # Nonzero when some file does not compile (a package's py2-only test fixture): Python
    # then compiles that one at import, as it would have anyway.
    subprocess.run([*command, str(folder)], check=False, stdout=subprocess.DEVNULL)  # noqa: S603
    return True


def cached_dependencies(python_version: str) -> tuple[Path, str]:
    """The lock's wheels installed for that Python (built once per lock hash and version).

    For the deployed runtime the committed lock is installed as it is. For another
    interpreter (a machine without python3.13) the same requirements are compiled for it:
    the pins of a 3.13 lock need not all publish wheels for an older Python.
    """
    lock_digest = sha256_of(LOCK)
    # The trimming is part of what is cached: changing it builds afresh.
    trimmed = hashlib.sha256(repr(PYARROW_UNUSED).encode()).hexdigest()[:8]
    key = f"{lock_digest[:16]}-py{python_version}-pyc-{trimmed}"
    cached = CACHE_ROOT / key / "python"
    if cached.is_dir():
        return cached, lock_digest
    CACHE_ROOT.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{key}-", dir=CACHE_ROOT))
    lock = LOCK
    if python_version != DEPLOYED_PYTHON:
        lock = staging / "requirements.lock"
        compile_lock(lock, python_version)
    _install_dependencies(lock, python_version, staging / "python")
    strip(staging / "python")
    compile_bytecode(staging / "python", python_version)
    staging.rename(CACHE_ROOT / key)
    return cached, lock_digest


def _copy_tree(source: Path, target: Path) -> None:
    """Hard links where the file system allows (a 150 MB layer copies in a blink)."""

    def link_or_copy(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link_or_copy)


def copy_package(source: Path, site: Path, python_version: str = DEPLOYED_PYTHON) -> None:
    """Our package into the layer's `python/`: its sources and their bytecode for the runtime
    (never the bytecode this machine's interpreters left in the source folder)."""
    if not (source / "__init__.py").is_file():
        raise LayerBuildError(f"layer package not found: {source}/__init__.py")
    shutil.copytree(
        source, site / source.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    compile_bytecode(site / source.name, python_version)


def copy_dependencies(built: Path, output: Path, kind: LayerKind | None = None) -> None:
    """A built layer's third-party part (everything but `coaching`) into `output`; with a
    ``kind``, only what that layer keeps."""
    owners = top_level_owners(built) if kind is not None else {}
    for entry in built.iterdir():
        if entry.name == PACKAGE:
            continue
        if kind is not None and not kind.keeps(owners.get(entry.name, set())):
            continue
        if entry.is_dir():
            _copy_tree(entry, output / entry.name)
        else:
            shutil.copy2(entry, output / entry.name)


def build_layer(python_version: str = DEPLOYED_PYTHON, kind: LayerKind = SHARED) -> BuiltLayer:
    dependencies, lock_digest = cached_dependencies(python_version)
    root = layer_dir(python_version, kind)
    if root.exists():
        shutil.rmtree(root)
    site = root / "python"
    site.mkdir(parents=True)
    copy_dependencies(dependencies, site, kind)
    copy_package(LAYERS_ROOT / PACKAGE, site, python_version)
    stamp = {"lock_sha256": lock_digest, "python_version": python_version, "platform": PLATFORM}
    (root / STAMP).write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
    return BuiltLayer(root=root, python_version=python_version, lock_sha256=lock_digest)


def build_layers(python_version: str = DEPLOYED_PYTHON) -> dict[str, BuiltLayer]:
    return {kind.name: build_layer(python_version, kind) for kind in LAYER_KINDS}


def built_layer(python_version: str = DEPLOYED_PYTHON, kind: LayerKind = SHARED) -> BuiltLayer:
    """The layer `make layer` built, checked against today's lock (synth deploys only that)."""
    root = layer_dir(python_version, kind)
    stamp_file = root / STAMP
    if not stamp_file.is_file():
        raise LayerBuildError(
            f"The dependencies layer is not built ({stamp_file} is missing): run `make layer`."
        )
    stamp = json.loads(stamp_file.read_text(encoding="utf-8"))
    if stamp.get("lock_sha256") != sha256_of(LOCK):
        raise LayerBuildError(
            f"The dependencies layer in {root} was built from another {LOCK.name}: "
            "run `make layer` to rebuild it."
        )
    return BuiltLayer(root=root, python_version=python_version, lock_sha256=stamp["lock_sha256"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock", action="store_true", help="recompile the lock, then stop")
    parser.add_argument(
        "--python-version", default=DEPLOYED_PYTHON, help="the Lambda runtime's Python"
    )
    args = parser.parse_args(argv)
    if args.lock:
        compile_lock(LOCK)
        print(f"locked {REQUIREMENTS.name} -> {LOCK} for python{DEPLOYED_PYTHON} {PLATFORM}")
        return 0
    over = False
    for name, layer in build_layers(args.python_version).items():
        size = folder_size(layer.site)
        print(
            f"{name} layer built: {layer.site} for python{layer.python_version} {PLATFORM}, "
            f"{size / 1024 / 1024:.1f} MB unzipped (Lambda's limit, layers + code: "
            f"{UNZIPPED_LIMIT_BYTES // 1024 // 1024} MB)"
        )
        if size > UNZIPPED_LIMIT_BYTES:
            print(f"the {name} layer is over Lambda's unzipped limit", file=sys.stderr)
            over = True
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
