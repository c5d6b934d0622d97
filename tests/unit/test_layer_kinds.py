"""The two layers cut from one install: which distributions each keeps, and pyarrow trimmed."""

from __future__ import annotations

from pathlib import Path

from cdk import layer_build


def installed(site: Path, distribution: str, version: str, *tops: str) -> None:
    info = site / f"{distribution}-{version}.dist-info"
    info.mkdir(parents=True)
    lines = [f"{top}/__init__.py,sha256=x,1" if "." not in top else f"{top},," for top in tops]
    lines.append(f"{info.name}/RECORD,,")
    (info / "RECORD").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for top in tops:
        if "." in top:
            (site / top).write_text("", encoding="utf-8")
        else:
            (site / top).mkdir()
            (site / top / "__init__.py").write_text("", encoding="utf-8")


def test_each_layer_keeps_its_distributions_and_shared_folders(tmp_path: Path) -> None:
    # Given an install holding a shared package, a search client, pyarrow and gRPC
    site = tmp_path / "site"
    installed(site, "pydantic", "2.0", "pydantic")
    installed(site, "openai", "2.0", "openai")
    installed(site, "pyarrow", "26.0.1", "pyarrow")
    installed(site, "grpcio", "1.0", "grpc")
    installed(site, "python_docx", "1.2.0", "docx")
    (site / "__pycache__").mkdir()  # top-level modules' bytecode: nobody's RECORD
    (site / "coaching").mkdir()  # ours: copied apart
    # When each layer is cut from it
    cut = {}
    for kind in layer_build.LAYER_KINDS:
        out = tmp_path / kind.name
        out.mkdir()
        layer_build.copy_dependencies(site, out, kind)
        cut[kind.name] = sorted(p.name for p in out.iterdir() if not p.name.endswith("-info"))
    # Then the shared layer has no pyarrow, the exports layer no search client or Word
    # parser, and neither the gRPC that nothing imports
    assert cut["shared"] == ["__pycache__", "docx", "openai", "pydantic"]
    assert cut["exports"] == ["__pycache__", "pyarrow", "pydantic"]


def test_pyarrow_loses_what_parquet_never_loads(tmp_path: Path) -> None:
    package = tmp_path / "pyarrow"
    (package / "include" / "arrow").mkdir(parents=True)
    kept = [
        "__init__.py", "parquet", "libarrow.so.2600", "_parquet.cpython-313-x86_64.so",
        "lib.cpython-313-x86_64-linux-gnu.so", "libparquet.so.2600",
    ]  # fmt: skip
    dropped = [
        "libarrow_flight.so.2600", "_flight.cpython-313-x86_64.so", "libarrow_s3.so.2600",
        "libarrow_python.so", "libarrow_python.so.2600.1.0", "libparquet.so", "table.pxi",
        "lib.pyx", "lib.pxd",
    ]  # fmt: skip
    for name in kept + dropped:
        (package / name).write_bytes(b"")
    layer_build.trim_pyarrow(package)
    assert sorted(p.name for p in package.iterdir()) == sorted(kept)
