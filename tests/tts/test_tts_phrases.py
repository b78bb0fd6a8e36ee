from hypothesis import given
from hypothesis import strategies as st

from broadcast.tts.engine import Piece
from broadcast.tts.phrases import cut_phrases, split_sentences

WORDS = ["người", "dân", "phường", "hồ", "sơ", "trực", "tuyến", "một", "cửa", "nộp", "tại"]
PAUSES = ["", "", "", ",", ".", ";", ":"]

plain_run = st.lists(
    st.tuples(st.sampled_from(WORDS), st.sampled_from(PAUSES)), min_size=1, max_size=40
).map(lambda words: " " + " ".join(w + p for w, p in words) + " ")
number = st.lists(
    st.sampled_from(["hai", "nghìn", "không", "trăm", "mươi", "lăm"]), min_size=2, max_size=14
).map(lambda words: " ".join(words) + " ")
pieces = st.lists(
    st.one_of(plain_run.map(Piece), number.map(lambda t: Piece(t, keep_together=True))),
    min_size=1,
    max_size=12,
)


@given(pieces)
def test_phrases_fit_gtts_and_never_split_a_number(text):
    result = cut_phrases(text, limit=100)
    assert all(len(p) <= 100 for p in result.phrases)  # words are short: holds even when forced
    for piece in text:
        if piece.keep_together:
            assert any(piece.text.strip() in phrase for phrase in result.phrases)
    # Nothing lost, nothing added.
    spoken = " ".join("".join(p.text for p in text).split())
    assert " ".join(result.phrases).split() == spoken.split()


def test_long_text_is_cut_at_pauses_first():
    text = [
        Piece("Người dân cần nộp hồ sơ trước ngày "),
        Piece("mười lăm tháng ba năm hai nghìn không trăm hai mươi lăm", keep_together=True),
        Piece(", tại bộ phận một cửa của ủy ban nhân dân phường, hoặc qua cổng dịch vụ công quốc "
              "gia. Mọi thắc mắc xin gọi số "),
        Piece("không hai bốn ba tám năm sáu bảy tám chín", keep_together=True),
        Piece(". Xin cảm ơn."),
    ]  # fmt: skip
    assert cut_phrases(text).phrases == (
        "Người dân cần nộp hồ sơ trước ngày mười lăm tháng ba năm hai nghìn không trăm hai mươi "
        "lăm,",
        "tại bộ phận một cửa của ủy ban nhân dân phường, hoặc qua cổng dịch vụ công quốc gia.",
        "Mọi thắc mắc xin gọi số không hai bốn ba tám năm sáu bảy tám chín. Xin cảm ơn.",
    )


def test_a_segment_longer_than_the_limit_is_cut_at_spaces_and_reported():
    run_on = " ".join(["thủ tục hành chính"] * 12)  # 227 characters, no punctuation
    result = cut_phrases([Piece(run_on)], limit=100)
    assert result.cut_at_spaces == (run_on,)
    assert all(len(p) <= 100 for p in result.phrases)
    assert " ".join(result.phrases) == run_on


def test_sentences_end_at_full_stops_outside_numbers():
    text = [
        Piece("Lãi suất là "),
        Piece("không phẩy năm", keep_together=True),
        Piece(" phần trăm. Hạn chót là thứ sáu! Xin cảm ơn"),
    ]
    sentences = ["".join(p.text for p in s) for s in split_sentences(text)]
    assert sentences == [
        "Lãi suất là không phẩy năm phần trăm.",
        "Hạn chót là thứ sáu!",
        "Xin cảm ơn",
    ]
