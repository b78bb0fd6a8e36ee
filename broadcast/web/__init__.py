"""The web console: the board uploads, listens and approves; the technician watches and
announces; the reviewer reads logs and downloads reports — in Vietnamese, over the same stages
as the command line. ``create_app`` (in ``app``) builds it; ``broadcast web`` serves it."""
