"""``/audio/{id}``: a script's rendered WAV for an account that may listen.

The id is only looked up in the audio manifest; the file served is the manifest entry's own,
and only when it lies inside the audio cache: no path from the request reaches the disk.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from broadcast.audio.manifest import AudioManifest
from broadcast.web.accounts import Account, Permission
from broadcast.web.security import page

NOT_FOUND = "Không có âm thanh nào của kịch bản này."


@page(Permission.LISTEN)
async def audio_file(request: Request, account: Account) -> Response:
    paths = request.app.state.paths
    entry = AudioManifest.load(paths).entry(request.path_params["script_id"])
    cache = paths.audio_cache_dir.resolve()
    if entry is None:
        return PlainTextResponse(NOT_FOUND, status_code=404)
    file = entry.path.resolve()
    if not file.is_relative_to(cache) or not file.is_file():
        return PlainTextResponse(NOT_FOUND, status_code=404)
    return FileResponse(file, media_type="audio/wav", headers={"Cache-Control": "private"})


def audio_routes() -> list[Route]:
    return [Route("/audio/{script_id:path}", audio_file, methods=["GET"])]


def routes() -> list[Route]:
    return []  # listed by ``pages.scripts`` in matching order
