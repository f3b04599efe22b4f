"""Page.content_html: Markdown written by staff, rendered and sanitised before the site shows it."""

import pytest
from django.template import Context, Template
from django.utils.safestring import SafeString

from pages.models import Page


def html_of(content: str) -> str:
    return Page(slug="p", title="P", content=content).content_html


def test_markdown_is_rendered():
    html = html_of("## Доставка\n\nПо **России** и [СНГ](https://example.com/sng).\n\n- СДЭК\n- Почта")
    assert "<h2>Доставка</h2>" in html
    assert "<strong>России</strong>" in html
    assert '<a href="https://example.com/sng" rel="noopener noreferrer">СНГ</a>' in html
    assert "<ul>" in html and "<li>СДЭК</li>" in html


def test_tables_are_rendered():
    html = html_of("| Размер | Грудь |\n|---|---|\n| S | 96 |\n")
    assert "<table>" in html and "<th>Размер</th>" in html and "<td>96</td>" in html


@pytest.mark.parametrize(
    "content, forbidden",
    [
        ("<script>alert(1)</script>Текст", "<script"),
        ('<img src="x.png" onerror="alert(1)">', "onerror"),
        ("[ссылка](javascript:alert(1))", "javascript:"),
        ('<a href="https://e.com" onclick="steal()">x</a>', "onclick"),
        ('<iframe src="https://evil.example"></iframe>', "<iframe"),
        ("<style>body{display:none}</style>", "<style"),
        ('<p style="position:fixed">x</p>', "style="),
    ],
)
def test_dangerous_html_is_removed(content, forbidden):
    html = html_of(content)
    assert forbidden not in html.lower()


def test_script_text_never_runs_but_plain_text_stays():
    html = html_of("Привет <script>alert(1)</script> мир")
    assert "Привет" in html and "мир" in html and "<script" not in html


def test_content_html_is_marked_safe_for_templates():
    page = Page(slug="p", title="P", content="**жирный** & <b>тоже</b>")
    assert isinstance(page.content_html, SafeString)
    rendered = Template("{{ page.content_html }}").render(Context({"page": page}))
    assert "<strong>жирный</strong>" in rendered and "<b>тоже</b>" in rendered
    assert "&amp;" in rendered


def test_empty_content_is_empty_html():
    assert html_of("") == ""
