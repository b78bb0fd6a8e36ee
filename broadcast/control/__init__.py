"""The local control channel between the running daemon and the commands (and the web page).

Newline-delimited JSON over TCP on 127.0.0.1, authenticated with a token file in the data
folder that only the daemon's user can read: each side proves it holds the token before the
other sends anything that matters (``handshake.py``). The daemon runs a ``ControlServer`` with
one handler per command; commands use ``ControlClient.from_paths(paths).call(command, **args)``.
"""

from broadcast.control.air_requests import CancelRequest, CutRequest, parse_cancel, parse_cut
from broadcast.control.announce import (
    ANNOUNCE_PRIORITIES,
    ANNOUNCE_SUFFIXES,
    MAX_ANNOUNCE_CHARACTERS,
    Announcement,
    new_request_id,
    parse_announcement,
)
from broadcast.control.arguments import seen_from
from broadcast.control.client import ControlClient, ControlError, DaemonUnavailable
from broadcast.control.commands import (
    ANNOUNCE,
    CANCEL,
    RELOAD,
    SKIP,
    STATUS,
    STOP,
    TEST_ZONE,
    Handler,
    once_per_request_id,
    require_no_args,
    without_args,
)
from broadcast.control.endpoint import Endpoint, endpoint_file, read_endpoint, token_file
from broadcast.control.protocol import MAX_REQUEST_BYTES, ErrorCode
from broadcast.control.server import ControlServer, ControlStartError, request_peer
from broadcast.control.zone_test import ZoneTestRequest, parse_zone_test, zone_to_test

__all__ = [
    "ANNOUNCE",
    "ANNOUNCE_PRIORITIES",
    "ANNOUNCE_SUFFIXES",
    "CANCEL",
    "MAX_ANNOUNCE_CHARACTERS",
    "MAX_REQUEST_BYTES",
    "RELOAD",
    "SKIP",
    "STATUS",
    "STOP",
    "TEST_ZONE",
    "Announcement",
    "CancelRequest",
    "ControlClient",
    "ControlError",
    "ControlServer",
    "ControlStartError",
    "CutRequest",
    "DaemonUnavailable",
    "Endpoint",
    "ErrorCode",
    "Handler",
    "ZoneTestRequest",
    "endpoint_file",
    "new_request_id",
    "once_per_request_id",
    "parse_announcement",
    "parse_cancel",
    "parse_cut",
    "parse_zone_test",
    "read_endpoint",
    "request_peer",
    "require_no_args",
    "seen_from",
    "token_file",
    "without_args",
    "zone_to_test",
]
