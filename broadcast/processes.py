"""Whether a process still runs, asked by the daemon's status (is it alive?) and by the control
client (is the pid in ``control.json`` still there?), so both answer the same way."""

from __future__ import annotations

import os
import sys
from pathlib import Path

if sys.platform == "win32":

    def process_alive(pid: int) -> bool:
        """Whether process ``pid`` still runs on this computer (``os.kill`` would end it)."""
        import ctypes
        from ctypes import wintypes

        query_limited_information, still_active, access_denied = 0x1000, 259, 5
        if pid <= 0:
            return False
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        kernel32.OpenProcess.restype = wintypes.HANDLE  # a handle is wider than the int default
        kernel32.OpenProcess.argtypes = (wintypes.DWORD, wintypes.BOOL, wintypes.DWORD)
        kernel32.GetExitCodeProcess.argtypes = (wintypes.HANDLE, ctypes.POINTER(wintypes.DWORD))
        kernel32.CloseHandle.argtypes = (wintypes.HANDLE,)
        handle = kernel32.OpenProcess(query_limited_information, False, pid)
        if not handle:  # gone, or another account's (the service's) that we may not open
            return ctypes.get_last_error() == access_denied
        try:
            code = wintypes.DWORD()
            if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
                return True  # it was there to open; only its exit code is unknown
            return code.value == still_active
        finally:
            kernel32.CloseHandle(handle)

else:

    def process_alive(pid: int) -> bool:
        """Whether process ``pid`` still runs on this computer (a zombie, killed but not yet
        reaped by its parent, does not)."""
        if pid <= 0:  # 0 and negatives mean process groups to kill()
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass  # it exists, under another account (the service's)
        try:
            stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            return True  # no /proc (macOS, BSD): kill()'s answer stands
        state = stat.rpartition(")")[2].split()[:1]  # the name in parentheses may hold spaces
        return state not in (["Z"], ["X"])
