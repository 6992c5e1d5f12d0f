from pathlib import Path

from regdev.registry import schema_markdown

DOC = Path(__file__).resolve().parents[3] / "docs" / "user-guide" / "registry.md"


def test_docs_schema_table_matches_schema_csv():
    text = DOC.read_text()
    table = text.split("<!-- schema:start -->\n")[1].split("<!-- schema:end -->")[0]
    assert table == schema_markdown()
