"""The TLS context a cluster's connections to the station use when the ward has its own CA.

A ward often runs its broker and the station's audio server with a certificate authority of
its own: that CA is trusted besides the system's authorities, and host names are checked as
always (``ssl.create_default_context``)."""

from __future__ import annotations

import ssl
from pathlib import Path


def client_context(ca_file: Path | None) -> ssl.SSLContext:
    """The system's authorities, and ``ca_file``'s (PEM) when given."""
    context = ssl.create_default_context()
    if ca_file is not None:
        context.load_verify_locations(cafile=str(ca_file))
    return context
