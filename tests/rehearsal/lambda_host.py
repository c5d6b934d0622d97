"""One Lambda execution environment, run by `python -I -S -B lambda_host.py PATH...`.

Standard library only: this file runs in the fresh interpreter, whose sys.path is the
interpreter's own standard library plus exactly the folders given (the function's package,
the built layer's python/, the runtime's boto3), as /var/task, /opt/python and the runtime's
own packages are in Lambda. It imports `handler` once (the cold start, timed), then answers
one invocation per line of JSON on stdin, one line of JSON on the protocol pipe: the
handler's result, or {"errorType", "errorMessage"} as Lambda reports an unhandled error.
Everything the function prints (Powertools' JSON logs) goes to stderr.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
import uuid

# Only the interpreter's standard library, then the given folders, in Lambda's order.
sys.path[:] = [p for p in sys.path if p.startswith(sys.base_prefix)] + sys.argv[1:]


class Context:
    """The attributes of Lambda's context object that Powertools reads."""

    def __init__(self, function_name: str) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = (
            f"arn:aws:lambda:{os.environ.get('AWS_REGION', 'us-east-1')}:123456789012"
            f":function:{function_name}"
        )
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512"))
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "rehearsal"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


# The rehearsal's stand-in for the network route (the VPC's NAT) to an HTTPS service the
# function calls without the AWS SDK (Cognito's JWKS, read by PyJWT through urllib): JSON
# {"https://host": "http://127.0.0.1:port"}, the request sent there with its Host kept.
URL_ROUTES = "REHEARSAL_URL_ROUTES"


def route_urls(routes: dict[str, str]) -> None:
    """Every opener urllib builds from now on (PyJWT builds its own) sends a request for one
    of ``routes`` to its stand-in instead."""
    import urllib.request  # noqa: PLC0415 - only when routes are given
    from urllib.parse import urlsplit  # noqa: PLC0415

    class Routed(urllib.request.HTTPSHandler):
        def https_open(self, request: urllib.request.Request):  # type: ignore[no-untyped-def]
            for prefix, target in routes.items():
                if request.full_url.startswith(prefix + "/"):
                    routed = urllib.request.Request(  # noqa: S310 - the rehearsal's own route
                        target + request.full_url[len(prefix) :],
                        data=request.data,
                        headers={**dict(request.header_items()), "Host": urlsplit(prefix).netloc},
                        method=request.get_method(),
                    )
                    return self.parent.open(routed, timeout=request.timeout)
            return super().https_open(request)

    urllib.request.HTTPSHandler = Routed  # type: ignore[misc] - what build_opener adds


def main() -> None:
    if os.environ.get(URL_ROUTES):
        route_urls(json.loads(os.environ[URL_ROUTES]))
    protocol = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # the function's prints go to stderr
    started = time.perf_counter()
    try:
        import handler  # noqa: PLC0415 - the function's package: what Lambda imports first

        init_ms = (time.perf_counter() - started) * 1000
        modules = [m for name, m in list(sys.modules.items()) if name != "__main__"]
        # This host (Lambda's bootstrap here) is no part of the function, whatever its name.
        files = {getattr(module, "__file__", None) for module in modules} - {__file__}
        # Anything loaded from outside the path above would not be there in Lambda.
        outside = sorted(f for f in files if f and not f.startswith(tuple(sys.path)))
        init = {"init_ms": init_ms, "modules": len(sys.modules), "outside_path": outside}
        init["handler_file"] = handler.__file__
    except BaseException as error:  # reported like Lambda's Runtime.ImportModuleError
        init = {"errorType": type(error).__name__, "errorMessage": str(error)}
        init["stackTrace"] = traceback.format_exc()
        protocol.write(json.dumps(init) + "\n")
        return
    protocol.write(json.dumps(init) + "\n")
    name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "function")
    for line in sys.stdin:
        event = json.loads(line)
        try:
            reply = {"result": handler.lambda_handler(event, Context(name))}
        except Exception as error:  # noqa: BLE001 - reported to the caller, as Lambda does
            reply = {"errorType": type(error).__name__, "errorMessage": str(error)}
            reply["stackTrace"] = traceback.format_exc()
        protocol.write(json.dumps(reply, default=str) + "\n")
    # Lambda ends an environment without a graceful interpreter exit: so do we, rather than
    # wait for the database pool's threads to wind down.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
