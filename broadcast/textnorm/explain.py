"""Why each word is read the way it is: one ``Rewrite`` per rewritten token, for the board."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from broadcast.textnorm.lexicon import Lexicon
from broadcast.textnorm.numbers import Region
from broadcast.textnorm.pipeline import line_tokens

# Rule key → what the board reads in the explain table.
RULE_DESCRIPTIONS = {
    "cardinal": "đọc số",
    "decimal": "số thập phân, dấu phẩy đọc là phẩy",
    "list": "danh sách số, không phải số thập phân",
    "section": "số mục, dấu chấm đọc là chấm",
    "fraction": "phân số",
    "address": "số nhà, ngõ, ngách, hẻm, kiệt: gạch chéo đọc là xuyệt, không phải ngày tháng",
    "half": "½ đọc là một nửa; sau một số (1½) đọc như số thập phân: một phẩy năm",
    "tally": "số đếm trên tổng số (9/9 tổ): gạch chéo đọc là trên, không phải ngày tháng",
    "over": "không phải ngày tháng (ngày hoặc tháng không có thật): gạch chéo đọc là trên",
    "digits": "dãy số đọc từng chữ số",
    "phone": "số điện thoại đọc từng chữ số, ngắt nghỉ giữa các nhóm",
    "file_code": "mã hồ sơ đọc từng ký tự, dấu chấm đọc là chấm, gạch nối đọc là gạch",
    "place": "viết tắt địa danh trước tên riêng hoặc số (phường, quận, huyện…)",
    "quarter": "quý và năm, gạch chéo đọc là năm",
    "ordinal": "số thứ tự",
    "month": "tên tháng",
    "weekday": "thứ trong tuần",
    "date": "ngày tháng",
    "time": "giờ",
    "range": "khoảng, gạch nối đọc là đến",
    "negative": "số âm",
    "percent": "phần trăm",
    "currency": "đơn vị tiền",
    "unit": "đơn vị đo",
    "per_unit": "gạch chéo nghĩa là mỗi: đọc mỗi (mỗi tháng, mỗi người), một (giá một món: "
    "đồng một bản) hoặc trên (giữa hai đơn vị đo: ki lô mét trên giờ)",
    "money_shorthand": "viết tắt tiền: k là nghìn, tr là triệu (2tr5 là hai triệu rưỡi)",
    "factor": "x hoặc × trước một số: gấp (tăng x2 là tăng gấp hai)",
    "ratio": "tỷ lệ (2:1): dấu hai chấm đọc là trên, không phải giờ",
    "title_dash": "gạch ngang sau ngày tháng mở đầu một tên gọi: ngắt nghỉ, không đọc là đến",
    "list_marker": "ký hiệu đầu mục a), b), 1): đọc tên chữ cái hoặc số rồi ngắt nghỉ",
    "roman": "số La Mã",
    "code": "số hiệu văn bản",
    "citation": "số hiệu văn bản: chữ viết tắt loại văn bản không đọc lại khi vừa đọc tên loại "
    "(Kế hoạch số 45/KH-UBND), cơ quan ban hành đọc sau chữ của",
    "document_number": "số văn bản có số 0 đứng đầu: đọc cả số 0 (Đề án 06)",
    "url": "địa chỉ trang web",
    "url_domain": "địa chỉ trang web có đường dẫn dài: chỉ đọc tên miền, broadcast check cảnh báo",
    "email": "địa chỉ thư điện tử",
    "impossible_date": "ngày không có thật (31/02): không đọc thành ngày tháng, "
    "broadcast check cảnh báo",
    "impossible_time": "giờ không có thật (25h30, 14 giờ 75): đọc đúng như viết, "
    "broadcast check cảnh báo",
    "abbreviation": "từ viết tắt có trong từ điển",
    "spelled": "từ viết tắt chưa có trong từ điển, đánh vần",
    "letter": "chữ cái đọc theo tên",
    "symbol": "ký hiệu đọc thành lời",
}


@dataclass(frozen=True)
class Rewrite:
    line: int  # 1-based
    column: int  # 1-based, in the NFC text of the line
    original: str
    spoken: str
    rule: str  # short English key
    description: str  # the rule in Vietnamese, for the board

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def explain(
    text: str, lexicon: Lexicon | None = None, region: Region = Region.NORTH
) -> list[Rewrite]:
    """Every rewrite ``normalize`` makes, in reading order."""
    lexicon = lexicon or Lexicon()
    rewrites = []
    for number, line in enumerate(text.split("\n"), start=1):
        prepared, tokens = line_tokens(line, lexicon, region)
        for token in tokens:
            if token.rule is None:
                continue
            rewrites.append(
                Rewrite(
                    line=number,
                    column=token.start + 1,
                    original=prepared[token.start : token.end],
                    spoken=token.spoken,
                    rule=token.rule,
                    description=RULE_DESCRIPTIONS[token.rule],
                )
            )
    return rewrites
