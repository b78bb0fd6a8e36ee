"""A zone as people write it: its id or its name, in any case or Unicode form."""

import unicodedata

import pytest

from broadcast.config.references import check_script_references, scripts_without_zones
from broadcast.scripts.model import Script, ScriptKind

SCHEDULES = """
zones:
  - {id: trung-tam, name: Trung tâm, output: {device: 1, channels: [1]}}
  - {id: tdp-1, name: Tổ dân phố 1, output: {device: 1, channels: [2]}}
  - {id: tdp-2, name: Tổ dân phố 2, output: {device: 1, channels: [3]}}
zone_groups:
  cac-to: [tdp-1, tdp-2]
"""


@pytest.fixture
def config(parse):
    return parse(SCHEDULES)


@pytest.mark.parametrize(
    ("given", "found"),
    [
        ("tdp-1", "tdp-1"),
        ("Tổ dân phố 1", "tdp-1"),
        ("  TỔ DÂN PHỐ 1 ", "tdp-1"),
        (unicodedata.normalize("NFD", "Tổ dân phố 1"), "tdp-1"),
        ("TDP-2", "tdp-2"),
        ("cac-to", "cac-to"),
        ("Cac-To", "cac-to"),
        ("trung tâm", "trung-tam"),
        ("tdp-9", None),
        ("Tổ dân phố", None),
        ("", None),
    ],
)
def test_a_zone_or_group_is_found_by_id_or_name(config, given, found):
    assert config.zone_reference(given) == found


def test_names_expand_like_ids_and_zones_are_labelled_by_name(config):
    assert config.expand_zones(["Tổ dân phố 2", "trung-tam", "không có"]) == ("trung-tam", "tdp-2")
    assert config.expand_zones(["CAC-TO"]) == ("tdp-1", "tdp-2")
    assert config.zones_label(("tdp-1", "tdp-2")) == "cac-to"  # a group has only its id
    assert config.zones_label(("trung-tam", "tdp-1")) == "Trung tâm, Tổ dân phố 1"
    assert config.zones_label(("tdp-cu",)) == "tdp-cu"  # no longer configured


def test_an_unknown_zone_is_named_with_the_closest_id_or_name(config):
    assert config.unknown_zone_message("Tổ dân phố 9") == (
        'khu vực "Tổ dân phố 9" không có trong schedules.yaml (có phải "Tổ dân phố 2"?)'
    )
    assert config.unknown_zone_message("tdp1").endswith('(có phải "tdp-1"?)')
    assert config.zone_hint("hoàn toàn khác") == ""


def test_a_script_may_name_its_zones_by_name(config):
    def script(zones: tuple[str, ...]) -> Script:
        return Script(
            "tin", "scripts_vi/tin.md", ScriptKind.TEXT, "Tin", "Nội dung.", "0", zones=zones
        )

    assert check_script_references(config, [script(("Tổ dân phố 1", "TDP-2"))]) == []
    (warning,) = check_script_references(config, [script(("Tổ dân phố 1", "Tổ dân phố 7"))])
    assert warning.message == (
        'khu vực "Tổ dân phố 7" không có trong schedules.yaml (có phải "Tổ dân phố 2"?); '
        "bài sẽ không phát ở đó"
    )
    (error,) = scripts_without_zones(config, [script(("Tổ dân phố 7",))])
    assert error.message.startswith(
        'không khu vực nào của bài có trong schedules.yaml ("Tổ dân phố 7" (có phải "Tổ dân '
        'phố 2"?)): bài sẽ không được phát ở đâu. Khu vực dùng được: trung-tam, tdp-1, tdp-2; '
        "nhóm: cac-to"
    )
