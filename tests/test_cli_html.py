"""`mteam review|members --format html`, `-o FILE` and `--language`, through `mteam.cli.main`.

Pages are parsed with `html.parser` (language, title, headings, charts, scripts), never
compared byte for byte, except with the library function that makes the same page.
"""

import io
import json
from html.parser import HTMLParser

import attrs
import pytest

from mteam.cli import main
from mteam.io import analyse_sample, load_sample_team
from mteam.report import format_report
from mteam.report.html import member_page, review_page
from mteam.review import run_review


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


class Page(HTMLParser):
    """The tags of a page, its `lang`, and the text of its title, headings and captions."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.lang: str | None = None
        self.current: list[str] = []
        self.text: dict[str, list[str]] = {}
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        self.current.append(tag)

    def handle_endtag(self, tag):
        while self.current and self.current.pop() != tag:
            pass

    def handle_data(self, data):
        if "svg" in self.current:  # a chart's own title is not the page's
            return
        if self.current and self.current[-1] in {"title", "h1", "h2", "figcaption"}:
            self.text.setdefault(self.current[-1], []).append(data)


@pytest.fixture(scope="module")
def outcome():
    return run_review(load_sample_team())


@pytest.fixture(scope="module")
def analysis():
    return analyse_sample()


def test_review_html_to_standard_output_is_the_review_page(outcome):
    code, out, err = run("review", "--format", "html")
    assert (code, err) == (0, "")
    assert out == review_page(outcome)
    page = Page(out)
    assert page.lang == "en"
    assert page.text["title"] == ["Review: Membership marketing"]
    assert page.text["h2"][:2] == ["Overview", "Rating bands"]
    assert page.tags.count("svg") == 3
    assert "script" not in page.tags


def test_review_html_in_traditional_chinese_to_a_file(outcome, tmp_path):
    target = tmp_path / "review.html"
    code, out, err = run("review", "--format", "html", "--language", "zh-Hant", "-o", str(target))
    assert (code, out, err) == (0, "", "")
    text = target.read_bytes().decode("utf-8")  # UTF-8 whatever the locale
    assert text == review_page(outcome, language="zh-Hant")
    page = Page(text)
    assert page.lang == "zh-Hant"
    assert page.text["title"] == ["績效考核:Membership marketing"]
    assert "績效評等" in page.text["h2"]


def test_members_html_to_a_file_in_both_languages(analysis, tmp_path):
    for language, title, heading in (
        ("en", "Member base: 2026-10-31", "Survival"),
        ("zh-Hant", "會員分析:2026-10-31", "會員存續"),
    ):
        target = tmp_path / f"members-{language}.html"
        code, out, err = run(
            "members", "--format", "html", "--language", language, "--output", str(target)
        )
        assert (code, out, err) == (0, "", "")
        text = target.read_text(encoding="utf-8")
        assert text == member_page(analysis, language=language)
        page = Page(text)
        assert page.lang == language
        assert page.text["title"] == [title]
        assert heading in page.text["h2"]
        assert page.tags.count("svg") == 5
        assert "\r" not in text


@pytest.mark.parametrize(
    "argv",
    [
        ["review"],
        ["review", "--format", "json"],
        ["review", "--member", "m01", "--language", "zh-Hant"],
        ["members"],
        ["members", "--format", "json"],
    ],
)
def test_every_format_can_go_to_a_file_unchanged(argv, tmp_path):
    code, expected, _ = run(*argv)
    assert code == 0
    target = tmp_path / "out.txt"
    code, out, err = run(*argv, "-o", str(target))
    assert (code, out, err) == (0, "", "")
    assert target.read_text(encoding="utf-8") == expected
    if "json" in argv:
        json.loads(target.read_text(encoding="utf-8"))


def test_a_file_is_replaced_not_appended_to(outcome, tmp_path):
    target = tmp_path / "report.txt"
    target.write_text("old contents\n" * 1000, encoding="utf-8")
    assert run("review", "-o", str(target))[0] == 0
    assert target.read_text(encoding="utf-8") == format_report(outcome)


def test_bad_input_leaves_no_file(tmp_path):
    target = tmp_path / "review.html"
    code, _, err = run(
        "review", str(tmp_path / "missing.json"), "--format", "html", "-o", str(target)
    )
    assert code == 2
    assert "invalid input" in err
    assert not target.exists()
    code, _, err = run("review", "--member", "nobody", "-o", str(target))
    assert code == 2
    assert not target.exists()


def test_an_unwritable_output_is_bad_input(tmp_path):
    code, out, err = run("review", "-o", str(tmp_path / "no" / "such" / "dir" / "r.txt"))
    assert (code, out) == (2, "")
    assert err.startswith("mteam: invalid input: output: cannot write")
    code, _, err = run("members", "--format", "html", "-o", str(tmp_path))  # a directory
    assert code == 2
    assert "output: cannot write" in err


def test_the_html_review_is_the_whole_team():
    code, out, err = run("review", "--format", "html", "--member", "m01")
    assert (code, out) == (2, "")
    assert "member: the HTML report shows the whole team" in err


def test_the_text_member_report_names_segments_and_tiers_in_the_language():
    code, out, err = run("members", "--language", "zh-Hant")
    assert (code, err) == (0, "")
    english = run("members")[1]
    assert "冠軍會員" in out or "沉睡會員" in out
    assert "冠軍會員" not in english
    assert "Champions" in english or "Hibernating" in english
    assert run("members", "--format", "json", "--language", "zh-Hant")[0] == 0


@pytest.mark.parametrize("command", ["review", "members"])
def test_help_names_the_html_format_and_the_output(command, capsys):
    assert main([command, "--help"]) == 0
    text = capsys.readouterr().out
    assert "{text,json,html}" in text
    assert "-o FILE, --output FILE" in text
    assert "--language {en,zh-Hant}" in text


def test_an_unknown_format_or_language_is_a_usage_error(capsys):
    assert main(["members", "--format", "pdf"]) == 2
    assert main(["review", "--language", "fr"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_the_text_member_report_states_the_medians_interval(analysis):
    from mteam.report import format_member_report  # noqa: PLC0415

    km = analysis.survival
    low, high = km.median_interval
    code, out, _ = run("members")
    assert code == 0
    assert (
        f"  median membership: {km.median:g} months (95% interval {low:g}-{high:g} months, "
        "exponential Greenwood)\n"
    ) in out
    open_ended = attrs.evolve(km, median_interval=(low, None), alpha=0.1)
    text = format_member_report(attrs.evolve(analysis, survival=open_ended))
    assert f"(90% interval {low:g}-not reached, exponential Greenwood)" in text
    unreached = attrs.evolve(km, median=None)
    text = format_member_report(attrs.evolve(analysis, survival=unreached))
    assert "  median membership: not reached\n" in text
