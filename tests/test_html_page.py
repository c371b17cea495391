"""mteam.report.html: pages parsed with html.parser (structure, scopes, titles), never bytes."""

import io
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from html.parser import HTMLParser

import attrs
import pytest

from mteam.catalog import Catalog
from mteam.cli import main
from mteam.errors import InvalidInputError
from mteam.io import analyse_sample, load_sample_team
from mteam.labels import SEGMENTS, Label, segment_label
from mteam.membership.analysis import MembershipPolicy
from mteam.membership.rfm import DEFAULT_SEGMENTS
from mteam.membership.tiers import Tier, TierPolicy
from mteam.report.html import Figure, Paragraph, Section, Table, member_page, page, review_page
from mteam.review import run_review
from mteam.training import GapReport

NASTY = '<script>alert("x")</script> R&D'


class Page(HTMLParser):
    """Every element with its attributes, and the text inside each kind of element.

    Elements inside an `<svg>` are named `svg:title`, `svg:text`, …, apart from the page's own.
    """

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.text: dict[str, list[str]] = {}
        self.doctype = ""
        self.feed(text)
        self.close()

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def name(self, tag: str) -> str:
        return f"svg:{tag}" if "svg" in self.stack else tag

    def handle_starttag(self, tag, attrs):
        tag = self.name(tag)
        self.elements.append((tag, dict(attrs)))
        if tag != "meta":
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.elements.append((self.name(tag), dict(attrs)))

    def handle_endtag(self, tag):
        if tag != "svg":
            tag = self.name(tag)
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        for tag in set(self.stack):
            self.text.setdefault(tag, []).append(data)

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.elements if t == name]

    def joined(self, name: str) -> str:
        return "".join(self.text.get(name, []))


@pytest.fixture(scope="module")
def outcome():
    return run_review(load_sample_team())


@pytest.fixture(scope="module")
def analysis():
    return analyse_sample()


def assert_self_contained(text: str, title: str, language: str) -> Page:
    doc = Page(text)
    assert doc.doctype.lower() == "doctype html"
    (html,) = doc.tags("html")
    assert html["lang"] == language
    assert len(doc.tags("title")) == 1
    assert doc.text["title"] == [title]
    assert doc.text["h1"] == [title]
    # nothing to run, nothing to fetch
    for tag in ("script", "link", "img", "iframe", "object", "embed", "base", "form"):
        assert doc.tags(tag) == [], tag
    for _, attributes in doc.elements:
        for key, value in attributes.items():
            assert not key.startswith("on")
            assert key not in {"src", "href", "srcset"}
            assert "url(" not in (value or "")
    assert "@import" not in doc.joined("style")
    assert "url(" not in doc.joined("style")
    policies = [m for m in doc.tags("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    assert [p["content"] for p in policies] == [
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    ]
    # tables: a caption each, every header cell scoped
    assert len(doc.tags("table")) == len(doc.tags("caption"))
    assert all(th.get("scope") in {"col", "row"} for th in doc.tags("th"))
    # charts: each an image with a title, and well-formed SVG
    for svg in doc.tags("svg"):
        assert svg["role"] == "img"
        assert svg["aria-label"]
    for chunk in re.findall(r"<svg.*?</svg>", text, re.DOTALL):
        root = ET.fromstring(chunk)  # noqa: S314 - our own output
        assert root.find("{http://www.w3.org/2000/svg}title").text
    return doc


def test_the_review_page_is_one_self_contained_accessible_document(outcome):
    doc = assert_self_contained(review_page(outcome), "Review: Membership marketing", "en")
    assert doc.text["h2"] == [
        "Overview",
        "Rating bands",
        "Bonus",
        "Members",
        "Skill gaps",
        "Bus-factor flags",
        "Training plan",
    ]
    assert len(doc.tags("svg")) == 3
    # every member is a row header of the members table, by name
    row_headers = [a for t, a in doc.elements if t == "th" and a.get("scope") == "row"]
    assert len(row_headers) >= len(outcome.members)
    body = doc.joined("body")
    for m in outcome.members:
        assert m.name in body
    assert "Member-operations specialist" in body  # role titles from the catalog
    assert "1,000,000\u00a0TWD" in body
    assert doc.joined("footer").startswith("Made by mteam. No rater is named")


def test_the_review_page_never_shows_a_rater(outcome):
    text = review_page(outcome)
    for m in outcome.members:
        if m.feedback is None:
            continue
        for c in m.feedback.competencies:
            for g in c.groups:
                assert f"{g.group}({g.raters})" not in text
    for rating in load_sample_team().ratings:
        if rating.relation.value not in {"self", "manager"}:
            assert f">{rating.rater_id}<" not in text


def test_the_review_page_in_traditional_chinese(outcome):
    doc = assert_self_contained(
        review_page(outcome, language="zh-Hant"), "績效考核:Membership marketing", "zh-Hant"
    )
    body = doc.joined("body")
    for word in ("績效評等", "獎金", "技能差距", "訓練計畫", "會員運營專員", "傑出", "數據分析"):
        assert word in body
    assert "Rating bands" not in body


def test_names_from_the_document_are_escaped():
    document = load_sample_team()
    first = attrs.evolve(document.members[0], name=NASTY)
    document = attrs.evolve(document, name=f"Team {NASTY}", members=(first, *document.members[1:]))
    text = review_page(run_review(document))
    assert "<script" not in text
    doc = assert_self_contained(text, f"Review: Team {NASTY}", "en")
    assert doc.tags("script") == []
    assert NASTY in doc.joined("th")
    assert NASTY in doc.joined("title")


def test_the_review_page_without_gaps_flags_or_training_and_with_unknown_ids(outcome):
    quiet = attrs.evolve(
        outcome,
        gap_report=GapReport((), outcome.gap_report.members, ()),
        summary=attrs.evolve(
            outcome.summary,
            bus_factor_flags=(),
            fairness=attrs.evolve(outcome.summary.fairness, inversions=((2, 3),)),
        ),
        training=attrs.evolve(outcome.training, assignments=()),
        bonus=attrs.evolve(outcome.bonus, pool=None, unallocated_reason="every cap binds"),
    )
    doc = assert_self_contained(
        review_page(quiet, catalog=Catalog((), ())), "Review: Membership marketing", "en"
    )
    paragraphs = doc.text["p"]
    assert "Nobody is below a requirement of their role." in paragraphs
    assert "None." in paragraphs
    assert any("Bands that do better than a higher band: 2 > 3" in p for p in paragraphs)
    assert any("(every cap binds)" in p for p in paragraphs)
    assert len(doc.tags("svg")) == 2
    body = doc.joined("body")
    assert "member_operations_specialist" in body  # no label: the id as it is
    assert "none (target × multiplier × proration)" in body


def test_the_member_page_is_self_contained_with_hidden_data_for_its_charts(analysis):
    doc = assert_self_contained(member_page(analysis), "Member base: 2026-10-31", "en")
    assert doc.text["h2"] == [
        "Overview",
        "Survival",
        "Projected survival",
        "Cohorts",
        "Customer lifetime value",
        "RFM segments",
    ]
    assert len(doc.tags("svg")) == 5
    hidden = [d for d in doc.tags("div") if d.get("class") == "visually-hidden"]
    assert len(hidden) == 2
    body = doc.joined("body")
    assert f"{analysis.cltv_sbg.amount:,}\u00a0TWD" in body
    km = analysis.survival
    low, high = km.median_interval
    assert (
        f"Median membership: {km.median:g} months (95 % interval: {low:g} to {high:g} months). "
        "The shaded band is the 95 % pointwise confidence band (exponential Greenwood)."
    ) in doc.joined("figcaption")
    # the survival chart draws the curve's band; its data table carries the band too
    assert "95 % band" in body
    for lo in km.lower[:3]:
        assert f"{lo:.3f}" in doc.joined("td")
    for p in analysis.projection:
        assert f"{p.lower:.3f}" in doc.joined("td")


def test_the_member_page_in_traditional_chinese_and_without_a_median(analysis):
    curve = attrs.evolve(analysis.survival, median=None)
    doc = assert_self_contained(
        member_page(attrs.evolve(analysis, survival=curve), language="zh-Hant"),
        "會員分析:2026-10-31",
        "zh-Hant",
    )
    body = doc.joined("body")
    for word in ("會員存續", "存續預測", "世代分析", "顧客終身價值", "尚未達到"):
        assert word in body
    unitless = attrs.evolve(analysis.survival, unit=None, median_interval=(2, None))
    text = Page(member_page(attrs.evolve(analysis, survival=unitless))).joined("figcaption")
    assert text.startswith("Median membership: 3 (95 % interval: 2 to not reached).")
    chinese = Page(member_page(analysis, language="zh-Hant")).joined("figcaption")
    assert chinese.startswith("會員存續中位數:3 個月(95% 信賴區間:3 至 3 個月)。")
    assert "指數 Greenwood 法" in chinese


def test_a_page_of_my_own_sections():
    table = Table(
        "Spend",
        ["channel", "TWD"],
        [["Search & <ads>", "1,200"], ["Social", "800"]],
        numeric=[False, True],
        row_headers=False,
    )
    svg = '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="x"><title>x</title></svg>'
    text = page(
        "Q3",
        [Section("Budget", [Paragraph("Two channels."), table, Figure(svg, caption="A chart.")])],
        subtitle="draft",
    )
    doc = assert_self_contained(text, "Q3", "en")
    assert doc.text["td"][0] == "Search & <ads>"
    assert [a.get("class") for a in doc.tags("td")] == [None, "num", None, "num"]
    assert doc.text["figcaption"] == ["A chart."]
    assert doc.tags("footer") == []
    assert "draft" in doc.text["p"]


@pytest.mark.parametrize(
    ("make", "path"),
    [
        (lambda: Paragraph(3), "text"),
        (lambda: Table("t", [], []), "header"),
        (lambda: Table("t", ["a"], [["1", "2"]]), "rows[0]"),
        (lambda: Table("t", ["a"], [[1]]), "rows[0][0]"),
        (lambda: Table("t", ["a"], [], numeric=[True, False]), "numeric"),
        (lambda: Table("t", ["a"], [], numeric=[1]), "numeric[0]"),
        (lambda: Figure("<div></div>"), "svg"),
        (lambda: Figure(5), "svg"),
        (lambda: Section("s", ["text"]), "blocks[0]"),
        (lambda: page("t", ["s"]), "sections[0]"),
        (lambda: page(5, []), "title"),
        (lambda: page("t", [], language="fr"), "language"),
        (lambda: page("t", [], footer=None), "footer"),
        (lambda: review_page("outcome"), "outcome"),
        (lambda: member_page("analysis"), "analysis"),
    ],
)
def test_bad_blocks_and_pages_are_refused(make, path):
    with pytest.raises(InvalidInputError) as err:
        make()
    assert err.value.path == path


def test_review_page_refuses_a_bad_catalog_or_language(outcome):
    with pytest.raises(InvalidInputError) as err:
        review_page(outcome, catalog="builtin")
    assert err.value.path == "catalog"
    with pytest.raises(InvalidInputError) as err:
        review_page(outcome, language="ja")
    assert err.value.path == "language"


def test_chinese_sentences_use_chinese_punctuation(outcome):
    doc = Page(review_page(outcome, language="zh-Hant"))
    bonus = next(p for p in doc.text["p"] if p.startswith("已分配"))
    assert bonus == (
        "已分配 1,000,000\u00a0TWD;未分配 0\u00a0TWD。"
        "達上限者:林怡君 Lin Yi-chun、王雅婷 Wang Ya-ting。"
    )


def test_skills_and_roles_without_a_label_are_shown_by_id(outcome):
    doc = Page(review_page(outcome, catalog=Catalog((), ())))
    assert "data_analysis" in doc.joined("td")  # the training needs by skill
    assert "member_operations_specialist" in doc.joined("td")


# --- the review outcome in a notebook ----------------------------------------------------------


def test_the_outcome_shows_its_summary_band_chart_and_members_in_a_notebook(outcome):
    text = outcome._repr_html_()
    doc = Page(text)
    assert text.startswith('<div class="mteam-result">')
    assert doc.text["caption"] == ["Review: Membership marketing", "Members (TWD)"]
    assert all(th.get("scope") in {"col", "row"} for th in doc.tags("th"))
    figures = doc.joined("th")
    for name in ("period", "members", "bonus pool", "allocated", "training budget"):
        assert name in figures
    assert "1,000,000 TWD" in doc.joined("td")
    # the band chart, from mteam.report's registry (import mteam has imported it)
    (svg,) = doc.tags("svg")
    assert svg["aria-label"].startswith("Members per rating band.")
    for m in outcome.members:
        assert m.name in doc.joined("td")
    # headline figures only: no 360 group, rater or score by rater
    columns = [a for t, a in doc.elements if t == "th" and a.get("scope") == "col"]
    assert len(columns) == 7
    assert "raters" not in text
    assert "<script" not in text


def test_the_outcome_in_a_notebook_escapes_names():
    document = load_sample_team()
    first = attrs.evolve(document.members[0], name=NASTY)
    document = attrs.evolve(document, name=f"Team {NASTY}", members=(first, *document.members[1:]))
    text = run_review(document)._repr_html_()
    assert "<script" not in text
    doc = Page(text)
    assert doc.text["caption"][0] == f"Review: Team {NASTY}"
    assert NASTY in doc.joined("td")


def _row_headers(page_text: str, caption: str) -> list[str]:
    """The row headers of the table with this caption (its first column)."""
    table = page_text.split(f"<caption>{caption}</caption>", 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row">(.*?)</th>', table)


def test_segments_and_tiers_in_traditional_chinese(analysis):
    text = member_page(analysis, language="zh-Hant")
    # the built-in segments, in the order of the rules, by their Traditional Chinese names
    assert _row_headers(text, "RFM 分群") == [
        "冠軍會員",
        "忠誠會員",
        "新會員",
        "潛力忠誠會員",
        "需要關注的會員",
        "不能流失的會員",
        "有流失風險的會員",
        "沉睡會員",
    ]
    # the tiers by the policy's labels (DEFAULT_TIERS)
    assert _row_headers(text, "會員等級") == ["一般會員", "銀卡會員", "金卡會員", "白金會員"]
    # the bar chart names them too, in its bars and its text alternative
    doc = Page(text)
    (segment_chart,) = [s for s in doc.tags("svg") if "RFM" in (s["aria-label"] or "")]
    assert "冠軍會員:662" in segment_chart["aria-label"]
    for english in ("Champions", "Hibernating", "Cannot lose them", "Platinum"):
        assert f">{english}<" not in text
    # in English nothing changes
    english = member_page(analysis)
    assert _row_headers(english, "RFM segments")[0] == "Champions"
    assert _row_headers(english, "Tiers") == ["Member", "Silver", "Gold", "Platinum"]


def test_a_policy_of_my_own_names_its_tiers_and_keeps_its_segment_names(analysis):
    tiers = TierPolicy(
        [
            Tier(Label("Basic", "基本會員"), Decimal(0)),
            Tier(Label("VIP", "VIP會員"), Decimal(10000)),
            Tier("Patron", Decimal(50000)),  # no Chinese name: shown in English
        ]
    )
    own = attrs.evolve(
        analysis,
        segment_counts={"Big spenders": 10, "Champions": 5},
        tier_counts={"Basic": 2900, "VIP": 95, "Patron": 5},
    )
    text = member_page(own, language="zh-Hant", policy=MembershipPolicy(tiers=tiers))
    assert _row_headers(text, "會員等級") == ["基本會員", "VIP會員", "Patron"]
    assert _row_headers(text, "RFM 分群") == ["Big spenders", "冠軍會員"]
    # a tier the policy does not know (the analysis was run with another policy) keeps its name
    assert _row_headers(member_page(own, language="zh-Hant"), "會員等級") == [
        "Basic",
        "VIP",
        "Patron",
    ]
    with pytest.raises(InvalidInputError, match="policy"):
        member_page(analysis, policy="default")


def test_every_built_in_segment_has_a_chinese_name():
    assert [rule.name for rule in DEFAULT_SEGMENTS] == list(SEGMENTS)
    names = [SEGMENTS[rule.name].zh_hant for rule in DEFAULT_SEGMENTS]
    assert all(names)
    assert len(set(names)) == len(names)
    assert segment_label("New") == Label("New", "新會員")
    assert segment_label("Whales") == Label("Whales")


def test_the_members_command_names_segments_and_tiers_in_chinese():
    out, err = io.StringIO(), io.StringIO()
    code = main(["members", "--format", "html", "--language", "zh-Hant"], stdout=out, stderr=err)
    assert (code, err.getvalue()) == (0, "")
    assert _row_headers(out.getvalue(), "RFM 分群")[0] == "冠軍會員"
    assert _row_headers(out.getvalue(), "會員等級")[-1] == "白金會員"
