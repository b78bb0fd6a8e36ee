"""One script's approval chain as ``broadcast trace`` shows it, with every broken link named:
text → approvals and revocations → audio → listens → plays, and the log's own verdict.

Reading only: the chain is gathered from the drop folder, the audio manifest and the play log
(``None`` while there is none), and judged with the approval package's rules."""

from __future__ import annotations

from dataclasses import dataclass, field

from broadcast.approval import ApprovalEvent, EventKind, Judgement, judge
from broadcast.audio.manifest import AudioManifest, ManifestEntry
from broadcast.config.approval import ApprovalSettings
from broadcast.playlog import Attempt, PlayLog, VerifyResult
from broadcast.scripts import Script
from broadcast.views.approval_events import short, when

OTHER_AUDIO = "âm thanh khác bản hiện tại"


@dataclass(frozen=True)
class Chain:
    script_id: str
    script: Script | None  # None: the file is gone or rejected; the log alone is traced
    settings: ApprovalSettings
    events: list[ApprovalEvent]  # approvals, revocations and listens, oldest first
    entry: ManifestEntry | None  # the audio the manifest holds for it
    plays: list[Attempt]
    verdict: VerifyResult | None  # None: no log yet
    judgement: Judgement | None = None
    broken: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # true and worth knowing, not a break

    @property
    def whole(self) -> bool:
        return not self.broken

    @property
    def made_from_current(self) -> bool:
        return (
            self.entry is not None and self.script is not None and self.entry.made_from(self.script)
        )

    @property
    def current_audio(self) -> str | None:
        """The audio of the text as it reads now, once made; for a script whose file is gone,
        the last audio the manifest holds for it."""
        if self.entry is None or not (self.script is None or self.made_from_current):
            return None
        return self.entry.audio_hash

    @property
    def approvals(self) -> list[ApprovalEvent]:
        return [e for e in self.events if e.kind is not EventKind.LISTENED]

    @property
    def listens(self) -> list[ApprovalEvent]:
        return [e for e in self.events if e.kind is EventKind.LISTENED]

    def listen_matches(self, listen: ApprovalEvent) -> bool:
        """Heard the audio of the text as it reads now."""
        current = self.judgement.fingerprint.sha256 if self.judgement else None
        return (
            listen.audio_hash is not None
            and listen.audio_hash == self.current_audio
            and listen.content_sha256 == current
        )


def gather(
    script_id: str,
    script: Script | None,
    settings: ApprovalSettings,
    manifest: AudioManifest,
    log: PlayLog | None,
) -> Chain:
    """The chain of ``script_id`` as the folder, the manifest and ``log`` hold it now."""
    events = log.approval_events(script_id) if log is not None else []
    plays = [a for a in log.attempts() if a.airing.script_id == script_id] if log else []
    entry = manifest.entry(script_id)
    judgement = judge(script, events, settings, entry) if script is not None else None
    chain = Chain(
        script_id,
        script,
        settings,
        events,
        entry,
        plays,
        log.verify() if log is not None else None,
        judgement,
    )
    chain.broken.extend(_broken_links(chain))
    chain.notes.extend(note for play in plays if (note := _older_audio(chain, play)))
    return chain


def _broken_links(chain: Chain) -> list[str]:
    broken = []
    judgement = chain.judgement
    if judgement is not None:
        if not judgement.airable:
            broken.append(f"bản hiện tại không được phát: {judgement.why_left_out()}")
        elif judgement.approval is not None and chain.current_audio is None:
            broken.append(
                "bản đã duyệt chưa có âm thanh làm từ đúng nội dung này (chạy broadcast render)"
            )
    for play in chain.plays:
        broken.extend(_play_problems(chain, play))
    if chain.verdict is not None and chain.verdict.problem is not None:
        broken.append(f"nhật ký KHÔNG toàn vẹn: {chain.verdict.problem.message}")
    return broken


def _play_problems(chain: Chain, play: Attempt) -> list[str]:
    """What is wrong with one play of the script; plays that never started aired nothing."""
    if play.started_at is None:
        return []
    label = f"lượt phát #{play.id} lúc {when(play.started_at)} ({play.airing.zone})"
    problems = []
    approval_id = play.airing.approval_id
    approvals = {e.id: e for e in chain.events if e.kind is EventKind.APPROVED}
    if approval_id is None:
        if chain.settings.required:
            problems.append(f"{label} không ghi lần duyệt nào mà đang bắt buộc duyệt")
    elif approval_id not in approvals:
        problems.append(
            f"{label} ghi lần duyệt số {approval_id}, không phải một lần duyệt của bài này"
        )
    else:
        approval = approvals[approval_id]
        revoked = [
            e
            for e in chain.events
            if e.kind is EventKind.REVOKED and (e.id or 0) > approval_id and e.at <= play.started_at
        ]
        if approval.at > play.started_at:
            problems.append(f"{label} phát trước lúc được duyệt ({when(approval.at)})")
        elif revoked:
            problems.append(
                f"{label} phát sau khi {revoked[0].by} đã thu hồi duyệt lúc {when(revoked[0].at)}"
            )
    audio = play.airing.audio_hash
    if chain.settings.listen and audio is not None and audio not in _listened(chain):
        problems.append(
            f"{label}: phát âm thanh chưa ai nghe thử (mã {short(audio)}) dù phường yêu cầu "
            "nghe thử trước khi phát"
        )
    return problems


def _listened(chain: Chain) -> set[str | None]:
    return {e.audio_hash for e in chain.listens}


def _older_audio(chain: Chain, play: Attempt) -> str | None:
    """A play of audio other than today's, nobody listened to: the audio of an earlier text or
    of earlier settings (a loudness target, a voice). Not a break: the daemon checks at air
    time that the audio was made from the text of the approval the play names."""
    audio = play.airing.audio_hash
    known = chain.script is not None or chain.entry is not None  # else nothing to compare
    if play.started_at is None or audio is None or not known:
        return None
    if audio == chain.current_audio or audio in _listened(chain):
        return None
    return (
        f"lượt phát #{play.id} lúc {when(play.started_at)}: {OTHER_AUDIO} (mã âm thanh "
        f"{short(audio)}), của một bản trước hoặc cách đọc trước"
    )
