"""The station's audio server: exactly the offered files, by hash, with Range and HEAD."""

import hashlib
import http.client
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from broadcast.sinks.ip.audio_server import AudioServer


@pytest.fixture
def served(tmp_path):
    data = bytes(range(256)) * 400  # 102,400 bytes
    path = tmp_path / "cache" / "tin.wav"
    path.parent.mkdir()
    path.write_bytes(data)
    secret = tmp_path / "secret.txt"
    secret.write_text("khóa bí mật")
    sha = hashlib.sha256(data).hexdigest()
    server = AudioServer("127.0.0.1", 0)
    server.offer({sha: path})
    server.start()
    try:
        yield server, sha, data, secret
    finally:
        server.stop()


def ask(server, path, method="GET", headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.request(method, path, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        connection.close()


def test_a_file_is_served_whole_by_its_hash(served):
    server, sha, data, _ = served
    status, headers, body = ask(server, f"/audio/{sha}")
    assert status == 200 and body == data
    assert headers["Content-Length"] == str(len(data)) and headers["Accept-Ranges"] == "bytes"
    assert hashlib.sha256(body).hexdigest() == sha


def test_a_cut_download_resumes_with_a_range(served):
    server, sha, data, _ = served
    status, headers, body = ask(server, f"/audio/{sha}", headers={"Range": "bytes=1000-"})
    assert status == 206 and body == data[1000:]
    assert headers["Content-Range"] == f"bytes 1000-{len(data) - 1}/{len(data)}"
    status, _, body = ask(server, f"/audio/{sha}", headers={"Range": "bytes=10-19"})
    assert (status, body) == (206, data[10:20])
    status, _, body = ask(server, f"/audio/{sha}", headers={"Range": "bytes=-5"})
    assert (status, body) == (206, data[-5:])
    status, headers, _ = ask(server, f"/audio/{sha}", headers={"Range": f"bytes={len(data)}-"})
    assert status == 416 and headers["Content-Range"] == f"bytes */{len(data)}"


def test_head_tells_the_size_without_the_body(served):
    server, sha, data, _ = served
    status, headers, body = ask(server, f"/audio/{sha}", method="HEAD")
    assert (status, body) == (200, b"") and headers["Content-Length"] == str(len(data))


@pytest.mark.parametrize(
    "path",
    [
        "/audio/" + "0" * 64,  # a hash no plan names
        "/audio/../secret.txt",
        "/audio/..%2Fsecret.txt",
        "/audio/%2e%2e/%2e%2e/secret.txt",
        "/secret.txt",
        "/audio/",
        "/audio/{sha}/../../secret.txt",
        "/audio/{sha}?x=1",
        "/audio/{SHA}",  # upper case: not how hashes are named
    ],
)
def test_anything_but_an_offered_hash_is_not_found(served, path):
    server, sha, _, _ = served
    status, _, body = ask(server, path.format(sha=sha, SHA=sha.upper()))
    assert status == 404 and "khóa" not in body.decode("utf-8", "replace")


def test_only_what_is_offered_now_is_served(served, tmp_path):
    server, sha, _, _ = served
    other = tmp_path / "khac.wav"
    other.write_bytes(b"RIFF" + b"\0" * 100)
    other_sha = hashlib.sha256(other.read_bytes()).hexdigest()
    server.offer({other_sha: other})  # the plans changed: the old file is no longer named
    assert ask(server, f"/audio/{sha}")[0] == 404
    assert ask(server, f"/audio/{other_sha}")[0] == 200
    Path(other).unlink()  # gone from the disk: not found, not a crash
    assert ask(server, f"/audio/{other_sha}")[0] == 404


def test_two_hundred_clusters_fetching_at_once_all_get_the_file(served):
    """A plan reaches every cluster together: the listen queue holds them all (the standard
    queue of 5 dropped a third of the 2,000-cluster bench's fetches)."""
    server, sha, data, _ = served
    assert server._server.request_queue_size >= 1024
    start = threading.Barrier(200)

    def fetch(_: int) -> tuple[int, bytes]:
        start.wait()
        status, _, body = ask(server, f"/audio/{sha}")
        return status, body

    with ThreadPoolExecutor(max_workers=200) as pool:
        answers = list(pool.map(fetch, range(200)))
    assert all(status == 200 and body == data for status, body in answers)
