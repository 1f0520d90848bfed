"""The local web page and JSON API of `followup`, over the same database and services as the CLI.

``create_app(settings)`` builds the FastAPI application (``followup serve`` runs it with uvicorn).
Pages are rendered on the server with Jinja (autoescaped) and updated in place with htmx, which
is vendored in ``static/htmx.min.js`` (npm ``htmx.org`` 2.0.11; see ``HTMX_VERSION``) so the page
works offline. Importing this package is cheap; FastAPI loads with ``followup.web.app``.
"""

from __future__ import annotations

from typing import Final

HTMX_VERSION: Final = "2.0.11"
HTMX_SHA256: Final = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"
