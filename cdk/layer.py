"""The Lambda layers: the locked dependencies and our `coaching` package, in two cuts.

The shared layer runs every function; the exports layer runs the two that write Parquet
(export, search_backup): pyarrow in place of the search clients (cdk/layer_build.py).

`make layer` (cdk/layer_build.py) installs the lock's wheels for RUNTIME and ARCHITECTURE
into build/layer/python/; synth deploys that folder, with `coaching` copied fresh from the
source, and fails with the command to run when the build is missing or was made from
another lock. No Docker: every wheel is binary for Lambda's platform.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from cdk.layer_build import (
    EXPORTS,
    PACKAGE,
    SHARED,
    BuiltLayer,
    LayerKind,
    built_layer,
    copy_dependencies,
    copy_package,
)

# AL2023, supported until 30 Jun 2029 (python3.11 runs on Amazon Linux 2, deprecated 30 Jun
# 2026). x86_64: the native wheels built for Lambda also run on the rehearsal's machine.
RUNTIME = lambda_.Runtime.PYTHON_3_13
ARCHITECTURE = lambda_.Architecture.X86_64


@jsii.implements(ILocalBundling)
class CopyBuiltLayer:
    """Local bundling: the built dependencies plus `coaching` into `python/`."""

    def __init__(self, built: BuiltLayer, package: Path, kind: LayerKind) -> None:
        self._built = built
        self._package = package
        self._kind = kind

    def try_bundle(self, output_dir: str, options: BundlingOptions) -> bool:
        site = Path(output_dir) / "python"
        site.mkdir(parents=True, exist_ok=True)
        copy_dependencies(self._built.site, site, self._kind)
        copy_package(self._package, site)
        return True


def package_digest(package: Path) -> str:
    """What ships of our package (no bytecode): a changed file gives a new layer version."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


class SharedLayers(Construct):
    """Two layers: pinned third-party packages (Powertools among them) and `coaching`.

    Our own Powertools copy instead of the public layer: the version the tests run is the one
    deployed, and pydantic is the one the rest of the lock was resolved with. The runtime's
    own boto3 is used, not packaged.
    """

    def __init__(self, scope: Construct, construct_id: str, *, layers_root: Path) -> None:
        super().__init__(scope, construct_id)
        package = layers_root / PACKAGE
        self.coaching = self._layer(
            "Coaching", SHARED, package, "coaching package and its locked dependencies"
        )
        self.exports = self._layer(
            "Exports", EXPORTS, package, "coaching package, pyarrow, no search clients"
        )

    def _layer(
        self, construct_id: str, kind: LayerKind, package: Path, what: str
    ) -> lambda_.LayerVersion:
        built = built_layer(kind=kind)
        return lambda_.LayerVersion(
            self,
            construct_id,
            description=f"{what} (python3.13 x86_64)",
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            code=lambda_.Code.from_asset(
                str(built.root),
                # The lock and our package's files decide the content: hashing 200 MB of
                # output on every synth would only find the same answer slower.
                asset_hash_type=AssetHashType.CUSTOM,
                asset_hash=f"{kind.name}{built.lock_sha256[:32]}{package_digest(package)[:32]}",
                bundling=BundlingOptions(
                    # Never run: local bundling always succeeds or raises.
                    image=DockerImage.from_registry("unused-local-bundling-only"),
                    local=CopyBuiltLayer(built, package, kind),
                ),
            ),
        )

    @property
    def layers(self) -> list[lambda_.ILayerVersion]:
        """Every function's but the exports'."""
        return [self.coaching]

    @property
    def exports_layers(self) -> list[lambda_.ILayerVersion]:
        """The functions that write Parquet: export and search_backup."""
        return [self.exports]
