"""Security headers and CORS for every API answer, in one place.

Every response the resolver builds — routes, error handlers, Powertools' own 404s and CORS
preflights — passes through ``SecureResolver._build_response`` on its way out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (
    OpenAPIRequestValidationMiddleware,
)
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.router import APIGatewayRouter as Router

from coaching.api.context import PORTS

# A Powertools middleware: (app, the next step) → the answer.
Middleware = Callable[[APIGatewayRestResolver, Callable], Response]

DOCS_PATH = "/docs"
# JSON never loads anything: deny it all.
JSON_CSP = "default-src 'none'; frame-ancestors 'none'"
# The Swagger UI page inlines its own script, styles and data: images; its spec is inline too.
DOCS_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
)


def web_app_csp(connect_sources: Sequence[str]) -> str:
    """The coaches' web app's CSP, the same from `coach serve` and from CloudFront: scripts
    from its own files only (no inline script, no eval), and calls to the API and its socket.

    Styles may be inline: the app's component library (Mantine) writes its theme variables
    and responsive layout as <style> elements at run time, and a static site has no per-answer
    nonce to allow them by. Inline style runs no code; what an injected script could do is
    what script-src stops."""
    connect = " ".join(("'self'", *connect_sources))
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; "
        f"font-src 'self'; connect-src {connect}; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )


SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def security_headers(path: str, *, docs_page: bool = False) -> dict[str, str]:
    """The headers an answer to `path` carries. Only the Swagger UI page itself (`docs_page`)
    gets the CSP that lets inline script run; every other answer, /docs errors and
    `/docs?format=json` included, gets the strict one."""
    headers = {
        **SECURITY_HEADERS,
        "Content-Security-Policy": DOCS_CSP if docs_page else JSON_CSP,
    }
    if path.startswith("/v1/") or path == "/v1":
        headers["Cache-Control"] = "no-store"
    return headers


def is_docs_page(path: str, response: Response) -> bool:
    """The Swagger UI's HTML (and its OAuth2 redirect page): the answers that inline script."""
    content_type = str(response.headers.get("Content-Type", ""))
    return path == DOCS_PATH and content_type.startswith("text/html")


def add_security_headers(response: Response, path: str) -> None:
    for name, value in security_headers(path, docs_page=is_docs_page(path, response)).items():
        response.headers.setdefault(name, value)


def cors_for(web_origin: str) -> CORSConfig:
    """CORS for the coaches' web app only: any other origin gets no Access-Control headers."""
    return CORSConfig(allow_origin=web_origin, max_age=600)


class _SignedInThenValid(OpenAPIRequestValidationMiddleware):
    """The first middleware of every route. Who is calling is settled (401) before what they
    sent is validated (422), as API Gateway's authorizer answers before the Lambda runs.

    A body Powertools cannot even parse (a multipart body without its boundary, bytes that
    are not UTF-8, JSON nested too deep) is the caller's mistake: 422 naming the body, never
    a 500."""

    def __init__(
        self,
        check_sign_in: Callable[[APIGatewayRestResolver], None],
        gates: Sequence[Middleware] = (),
    ) -> None:
        super().__init__()
        self._check_sign_in = check_sign_in
        self._gates = tuple(gates)

    def handler(self, app, next_middleware):
        self._check_sign_in(app)

        def validated(app):
            return super(_SignedInThenValid, self).handler(app, next_middleware)

        step = validated
        for gate in reversed(self._gates):
            step = _then(gate, step)
        return step(app)

    def _get_body(self, app):
        try:
            return super()._get_body(app)
        except ValueError as error:
            problem = {"type": "body_unreadable", "loc": ("body",), "msg": str(error), "input": {}}
            raise RequestValidationError([problem]) from None


def _then(gate: Middleware, next_step: Callable) -> Callable:
    return lambda app: gate(app, next_step)


def _no_check(app: APIGatewayRestResolver) -> None:
    return None


class SecureResolver(APIGatewayRestResolver):
    """The REST resolver, adding the security headers to every response it builds, and
    telling ``on_answer`` each answer's status (security events, api/security_events.py).

    ``check_sign_in`` runs before anything else of a route (validation included) and raises
    to refuse the caller; then each of ``gates`` (middlewares: the budgets and the API key's
    scopes), still before validation, so a malformed request counts against a budget and a
    caller out of scope learns nothing of a route's body.
    """

    def __init__(
        self,
        *args,
        check_sign_in: Callable[[APIGatewayRestResolver], None] = _no_check,
        gates: Sequence[Middleware] = (),
        on_answer: Callable[[APIGatewayRestResolver, int], None] | None = None,
        ports: Any = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._on_answer = on_answer
        self._ports = ports
        self._routers: list[Router] = []
        if getattr(self, "_request_validation_middleware", None) is not None:
            self._request_validation_middleware = _SignedInThenValid(check_sign_in, gates)
        elif gates:  # no validation to run before: the gates lead every route's own stack
            self.use(middlewares=list(gates))

    def include_router(self, router: Router, prefix: str | None = None) -> None:
        self._routers.append(router)
        super().include_router(router, prefix)

    def registered_routes(self) -> list:
        """Every route registered so far (Powertools keeps them in two private lists)."""
        return [*self._static_routes, *self._dynamic_routes]

    def resolve(self, event, context) -> dict:
        # The route modules' routers are shared by every app built in this process (tests
        # build several): each request points them at the app that serves it, whose
        # context carries its ports (api/context.py). One request at a time, as Powertools'
        # own request state already requires.
        for router in self._routers:
            router.api_resolver = self
        self.append_context(**{PORTS: self._ports})
        return super().resolve(event, context)

    def _build_response(self, response_builder) -> dict:
        add_security_headers(response_builder.response, self.current_event.path)
        if self._on_answer is not None:
            self._on_answer(self, int(response_builder.response.status_code))
        return super()._build_response(response_builder)
