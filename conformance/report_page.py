"""The HTML report's stylesheet and script (conformance/data/report.css, report.js: static files, so
they can be linted), inlined into every report (no CDN: it works offline).

The script reads the JSON blob written by conformance/report.py and builds the
page: target cards with per-category charts, the case x target matrix with its
filters, the details panel, and the documented-parameters view. Everything the
target sent back is inserted as text, never as markup.
"""

from pathlib import Path

_DATA = Path(__file__).parent / "data"
STYLE = (_DATA / "report.css").read_text(encoding="utf-8")
SCRIPT = (_DATA / "report.js").read_text(encoding="utf-8")
