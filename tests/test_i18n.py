"""English is complete (issue 10): no template holds Chinese text outside a translation tag, and every
catalogue translates every string it holds, in the compiled .mo the server reads as in the .po.

The msgids are the Chinese text itself (the primary language); each app keeps its own catalogue in
``<app>/locale/en/LC_MESSAGES/django.po``, the project-wide templates and ``poverty_tracker/`` theirs in
``locale/``. Update one app's catalogue with ``cd <app> && ../.venv/bin/django-admin makemessages -l en``,
then ``msgfmt -o django.mo django.po`` beside it.

The scripts (static/js, static/phone) write their words through Django's JavaScript catalogue (/jsi18n/):
``gettext("中文")``, ``ngettext(...)`` and ``interpolate(...)``; their catalogue is the root
``locale/en/LC_MESSAGES/djangojs.po``. Update it from the repository root with ``manage.py makemessages -d
djangojs -l en --ignore=.venv --ignore=staticfiles --ignore=static/vendor --ignore=node_modules``.
"""

import gettext
import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".venv", "node_modules", "staticfiles", ".git"}
CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3001-\u3011]")

# What a template may hold in Chinese: the text of a translation tag, and comments.
_TRANSLATED = [
    re.compile(
        r"\{%\s*(?:blocktranslate|blocktrans)\b.*?%\}.*?\{%\s*(?:endblocktranslate|endblocktrans)\s*%\}", re.S
    ),
    re.compile(r"\{%\s*(?:translate|trans)\s+(?:\"[^\"]*\"|'[^']*').*?%\}", re.S),
    re.compile(r"_\((?:\"[^\"]*\"|'[^']*')\)"),  # {{ _("...") }} and filter arguments
    re.compile(r"\{#.*?#\}"),  # one line only: Django shows a {# that spans lines as text
    re.compile(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S),
    re.compile(r"<!--.*?-->", re.S),
]


def _walk(pattern):
    for path in sorted(ROOT.rglob(pattern)):
        if not SKIP_DIRS.intersection(path.relative_to(ROOT).parts):
            yield path


TEMPLATES = [p for p in _walk("*.html") if "templates" in p.relative_to(ROOT).parts]
CATALOGUES = list(_walk("locale/en/LC_MESSAGES/django.po")) + list(_walk("locale/en/LC_MESSAGES/djangojs.po"))
SCRIPTS = sorted([*ROOT.glob("static/js/*.js"), *ROOT.glob("static/phone/*.js")])

# What a script may hold in Chinese: the strings given to gettext/ngettext/pgettext, comments, and a line
# marked ``i18n-ignore`` (text the script reads, never shows).
_JS_STRING = r'"(?:[^"\\\n]|\\.)*"'
_JS_TRANSLATED = [
    re.compile(rf"\b(?:gettext|ngettext|pgettext)\(\s*{_JS_STRING}(?:\s*,\s*{_JS_STRING})*"),
    re.compile(r"/\*.*?\*/", re.S),
    re.compile(r"^.*//\s*i18n-ignore\b.*$", re.M),
    re.compile(r"(?<![:\\])//[^\n]*"),  # a line comment (not the // of a URL)
]


def untranslated(text: str, patterns=_TRANSLATED) -> list[tuple[int, str]]:
    """(line number, text) of every piece of Chinese outside a translation tag or a comment."""
    for pattern in patterns:
        # Blank the match but keep its newlines, so line numbers stay true.
        text = pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if CJK.search(line):
            found.append((number, line.strip()))
    return found


def test_the_scanner_finds_bare_chinese_and_passes_tagged_chinese():
    assert untranslated('<h1>{% translate "户籍" %}</h1>\n{# 注释 #}') == []
    assert (
        untranslated("{% blocktranslate count n=n %}{{ n }} 户{% plural %}{{ n }} 户{% endblocktranslate %}")
        == []
    )
    assert untranslated('<p>{{ x|default:_("无") }}</p>') == []
    assert untranslated('<h1>户籍</h1>\n<p title="人口">x</p>') == [
        (1, "<h1>户籍</h1>"),
        (2, '<p title="人口">x</p>'),
    ]
    assert untranslated('{{ x|default:"无" }}') == [(1, '{{ x|default:"无" }}')]
    assert untranslated("{# 注释\n跨行 #}") == [(1, "{# 注释"), (2, "跨行 #}")]


def untranslated_js(text: str) -> list[tuple[int, str]]:
    return untranslated(text, _JS_TRANSLATED)


def test_the_script_scanner_finds_bare_chinese_and_passes_gettext():
    assert untranslated_js('el.textContent = gettext("重试");\n// 注释\n/* 注释\n跨行 */') == []
    assert untranslated_js('x = interpolate(ngettext(\n  "%s 条",\n  "%s 条", n), [n]);') == []
    assert untranslated_js("if (/登录/.test(s)) { // i18n-ignore: the server's words") == []
    assert [n for n, _ in untranslated_js('x = "重试";\ny = gettext("a") + "条";')] == [1, 2]
    assert [n for n, _ in untranslated_js('a.href = "http://x/" + "户";')] == [1]


def test_scripts_were_found():
    names = {p.relative_to(ROOT).as_posix() for p in SCRIPTS}
    assert {"static/phone/app.js", "static/phone/revisit_form.js", "static/js/dashboard.js"} <= names


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_script_has_no_untranslated_text(path):
    found = untranslated_js(path.read_text(encoding="utf-8"))
    listing = "\n".join(f"  {path.relative_to(ROOT)}:{n}: {line}" for n, line in found)
    assert not found, f"脚本中有未经 gettext() 包起来的中文（用 gettext/ngettext/interpolate）：\n{listing}"


def test_templates_were_found():
    assert len(TEMPLATES) > 100
    assert len(CATALOGUES) >= 2


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_template_has_no_untranslated_text(path):
    found = untranslated(path.read_text(encoding="utf-8"))
    listing = "\n".join(f"  {path.relative_to(ROOT)}:{n}: {line}" for n, line in found)
    assert not found, (
        f"模板中有未经翻译标签的中文（用 {{% translate %}} 或 {{% blocktranslate %}} 包起来）：\n{listing}"
    )


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete_and_compiled(po_path):
    catalogue = polib.pofile(str(po_path))
    missing = [e.msgid for e in catalogue if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert not missing, f"{po_path.relative_to(ROOT)} 有未翻译或待确认（fuzzy）的条目：{missing[:20]}"
    for entry in catalogue:
        if entry.msgstr:
            assert not CJK.search(entry.msgstr), f"英文译文中有中文：{entry.msgid!r} → {entry.msgstr!r}"
    # The server reads the .mo: it must say what the .po says (a stale .mo is an untranslated page).
    with open(po_path.with_suffix(".mo"), "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in catalogue.translated_entries():
        if entry.msgid_plural:
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr_plural[0], (
                entry.msgid
            )
        elif entry.msgctxt:
            assert compiled.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr, entry.msgid
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr, (
                f".mo 与 .po 不一致（请运行 msgfmt）：{entry.msgid!r}"
            )
