"""Every environment variable the settings (and gunicorn's config) read has exactly one row in README's configuration table, and the
table names nothing the settings do not read: the settings are the one source, the table is checked against it."""

import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READ = re.compile(r"""\b(?:env(?:\.\w+)?|os\.environ\.get)\(\s*["']([A-Z][A-Z0-9_]*)["']""")
SOURCES = ["config/settings.py", "config/gunicorn.py"]


def _settings_names() -> set[str]:
    return {name for source in SOURCES for name in READ.findall((ROOT / source).read_text())}


def _readme_rows() -> list[list[str]]:
    """The names in the first cell of each row of the table under «## Configuration»."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [re.findall(r"`([A-Z][A-Z0-9_]*)`", row.split("|")[1]) for row in rows]


def test_every_setting_read_from_the_environment_has_exactly_one_readme_row():
    rows = Counter(name for names in _readme_rows() for name in names)
    names = _settings_names()
    assert sorted(name for name in names if rows[name] == 0) == [], "no README row"
    assert sorted(name for name, count in rows.items() if count > 1) == [], "more than one README row"
    assert sorted(name for name in rows if name not in names) == [], "a README row the settings do not read"
