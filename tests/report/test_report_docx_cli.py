"""``broadcast report --format docx`` end to end: the ward's frame from schedules.yaml."""

import docx

from broadcast.cli import main

TOPICS = "topics:\n  dvc: Dịch vụ công trực tuyến\n  mot-cua: Cơ chế một cửa\n"
REPORT = """\
report:
  issuing_body: ỦY BAN NHÂN DÂN PHƯỜNG LONG ANH
  ward_name: phường Long Anh
  place: Long Anh
  prepared_by: Công chức Văn phòng - Thống kê
  signer: {authority: [TM. ỦY BAN NHÂN DÂN, CHỦ TỊCH], name: Lê Văn Chiến}
  recipients: [UBND Thành phố (b/c), "Lưu: VT, VP"]
"""


def report(home, *argv):
    return main(["--home", str(home.home), "report", "--period", "Q1/2023", *argv])


def test_without_a_report_section_it_says_what_to_add(quarter_home, tmp_path, capsys):
    (quarter_home.home / "schedules.yaml").write_text(TOPICS, encoding="utf-8")
    out = tmp_path / "bao-cao.docx"
    assert report(quarter_home, "--format", "docx", "--out", str(out)) == 2
    said = capsys.readouterr().err
    assert "cần mục report: trong schedules.yaml" in said
    assert "  issuing_body: ỦY BAN NHÂN DÂN PHƯỜNG LONG ANH" in said  # an example to copy
    assert not out.exists()


def test_the_word_report_is_numbered_and_signed_as_schedules_yaml_says(
    quarter_home, tmp_path, capsys
):
    (quarter_home.home / "schedules.yaml").write_text(TOPICS + REPORT, encoding="utf-8")
    out = tmp_path / "bao-cao.docx"
    assert report(quarter_home, "--format", "docx", "--number", "07", "--out", str(out)) == 0
    assert str(out) in capsys.readouterr().out
    document = docx.Document(str(out))
    left = [p.text for p in document.tables[0].rows[0].cells[0].paragraphs if p.text]
    assert left == ["ỦY BAN NHÂN DÂN\nPHƯỜNG LONG ANH", "Số: 07/BC-UBND"]
    signature = [p.text for p in document.tables[-1].rows[0].cells[1].paragraphs if p.text]
    assert signature == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Lê Văn Chiến"]
    text = [p.text for p in document.paragraphs]
    assert "Theo chủ đề: Dịch vụ công trực tuyến: 2 lượt phát (1 lượt trọn vẹn), 4,0 phút;" in (
        "\n".join(text)
    )
    assert report(quarter_home, "--format", "docx", "--out", "-") == 2  # not for a terminal
