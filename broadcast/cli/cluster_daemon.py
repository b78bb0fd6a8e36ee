"""The running daemon told that the cluster registry changed.

The daemon reads the registry afresh at each plan pass, but a pass comes only after a
reschedule (an edited script, a reload) or once an hour: a cluster added, moved to another zone
or removed would wait up to an hour for its plan. So ``broadcast clusters`` asks the daemon to
reload, as an edited file does; its plan pass then follows at once.
"""

from __future__ import annotations

from broadcast.control import RELOAD, ControlClient, ControlError, DaemonUnavailable
from broadcast.control.client import NoAnswer
from broadcast.paths import ProjectPaths


def tell_daemon(paths: ProjectPaths) -> str:
    """Ask the running daemon to plan the clusters again; what happened, in a sentence."""
    try:
        ControlClient.from_paths(paths).call(RELOAD)
    except NoAnswer as exc:
        problem = exc.message
    except DaemonUnavailable:
        return "Chương trình phát (broadcast run) chưa chạy: khi chạy, nó đọc danh sách cụm loa."
    except ControlError as exc:
        problem = exc.message
    else:
        return "Chương trình phát đang chạy đã đọc lại danh sách cụm loa và gửi lịch phát ngay."
    return (
        f"Không báo được chương trình phát đang chạy ({problem}): lịch phát mới đến cụm loa "
        "trong vòng một giờ, hoặc ngay khi chương trình phát khởi động lại."
    )
