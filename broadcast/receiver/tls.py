"""A receiver's two connections to the station over TLS: the broker (``mqtts://``) and the audio
server (``https://``). ``tls_ca_file`` in receiver.yaml names the ward's own CA, trusted besides
the system's (``broadcast.clusters.tls``); without it, a server whose certificate that CA signed
is refused, with a message saying what to write."""

from __future__ import annotations

import ssl

WRAPPED_DEPTH = 4  # how deep an error may hide the certificate check that failed
UNTRUSTED_HINT = (
    "nếu phường dùng chứng chỉ CA riêng, ghi đường dẫn tệp chứng chỉ CA (PEM) vào "
    "tls_ca_file: trong receiver.yaml"
)


def untrusted(error: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate check that failed behind ``error`` (``URLError`` wraps it), if any."""
    seen: BaseException | None = error
    for _ in range(WRAPPED_DEPTH):
        if seen is None or isinstance(seen, ssl.SSLCertVerificationError):
            return seen
        reason = getattr(seen, "reason", None)
        seen = reason if isinstance(reason, BaseException) else seen.__cause__
    return None
