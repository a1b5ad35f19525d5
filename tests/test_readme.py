"""The README's example runs and prints exactly what the README shows."""

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_output_is_true():
    text = README.read_text(encoding="utf-8")
    section = text.split("## Ten lines on the demo data", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    expected = re.search(r"```text\n(.*?)```", section, re.S).group(1)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(compile(code, "README.md", "exec"), {})
    assert buffer.getvalue() == expected


def test_readme_starts_with_the_two_commands():
    text = README.read_text(encoding="utf-8")
    first_block = re.search(r"```bash\n(.*?)```", text, re.S).group(1)
    assert first_block.splitlines()[0].startswith("make test")
    assert first_block.splitlines()[1].startswith("make report")


def test_every_public_name_is_in_the_readme():
    import retention_kit as rk

    text = README.read_text(encoding="utf-8")
    assert [name for name in rk.__all__ if name not in text] == []
