"""The shared Lambda layers: our `coaching` package, bundled without Docker, and Powertools."""

from __future__ import annotations

import shutil
from pathlib import Path

import jsii
from aws_cdk import AssetHashType, BundlingOptions, Fn, ILocalBundling
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

RUNTIME = lambda_.Runtime.PYTHON_3_11
ARCHITECTURE = lambda_.Architecture.X86_64
PACKAGE = "coaching"
# Published by the Powertools team in every commercial region under the same version number.
POWERTOOLS_ACCOUNT = "017000801446"
POWERTOOLS_LAYER = "AWSLambdaPowertoolsPythonV3-python311-x86_64"


@jsii.implements(ILocalBundling)
class CopyPackage:
    """Local bundling: copy one package into `python/<package>`, where Lambda layers look.

    The package is pure Python, so a copy is a complete build and synth needs no Docker.
    """

    def __init__(self, source: Path) -> None:
        self._source = source

    def try_bundle(self, output_dir: str, options: BundlingOptions) -> bool:
        if not (self._source / "__init__.py").is_file():
            raise FileNotFoundError(f"layer package not found: {self._source}/__init__.py")
        target = Path(output_dir) / "python" / self._source.name
        shutil.copytree(self._source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        return True


class SharedLayers(Construct):
    """`coaching` (domain, use cases, ports, adapters) plus the public Powertools layer.

    Third-party dependencies (pydantic, aws-xray-sdk) come from the Powertools layer for now;
    a dependencies layer for the rest (pydantic-settings, psycopg, ...) comes in a later issue.
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, layers_root: Path, powertools_version: int
    ) -> None:
        super().__init__(scope, construct_id)
        self.coaching = lambda_.LayerVersion(
            self,
            "Coaching",
            description="coaching package: domain, use cases, ports, adapters",
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            code=lambda_.Code.from_asset(
                str(layers_root),
                # Hash what ships, so a stray __pycache__ in the source does not redeploy.
                asset_hash_type=AssetHashType.OUTPUT,
                bundling=BundlingOptions(
                    image=RUNTIME.bundling_image,
                    local=CopyPackage(layers_root / PACKAGE),
                    # Docker fallback, only used where local bundling is unavailable.
                    command=[
                        "bash",
                        "-c",
                        f"mkdir -p /asset-output/python && cp -r {PACKAGE} /asset-output/python/",
                    ],
                ),
            ),
        )
        # The ARN is resolved per region at deploy time, so synth stays environment-agnostic.
        self.powertools = lambda_.LayerVersion.from_layer_version_arn(
            self,
            "Powertools",
            Fn.sub(
                f"arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:{POWERTOOLS_ACCOUNT}"
                f":layer:{POWERTOOLS_LAYER}:{int(powertools_version)}"
            ),
        )

    @property
    def layers(self) -> list[lambda_.ILayerVersion]:
        return [self.powertools, self.coaching]
