"""Keep the translation catalogs in step with the code: extract UI strings, update the .po files.

`python -m learnlake.serve.i18n.catalog` re-extracts every `_()` / `N_()` string of the web app
(Python and Jinja templates) into messages.pot and merges it into each language's messages.po;
new strings appear untranslated there for a translator. A test fails while any string lacks a
translation.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from learnlake.serve.i18n import CATALOG_DIR, DEFAULT, LOCALES

SERVE_DIR = Path(__file__).resolve().parents[1]
METHODS = [("**/i18n/**.py", "ignore"), ("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "encoding": "utf-8"}}


def extract() -> Catalog:
    """Every translatable string of the web app."""
    catalog = Catalog(project="learnlake", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        SERVE_DIR, METHODS, options_map=OPTIONS, keywords=KEYWORDS, strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def update() -> dict[str, int]:
    """Write messages.pot and merge it into every language; untranslated strings per language."""
    template = extract()
    CATALOG_DIR.mkdir(parents=True, exist_ok=True)
    with (CATALOG_DIR / "messages.pot").open("wb") as fh:
        write_po(fh, template, omit_header=False, sort_output=True, no_location=True)
    missing: dict[str, int] = {}
    for lang in LOCALES:
        if lang == DEFAULT:
            continue
        path = CATALOG_DIR / lang / "LC_MESSAGES" / "messages.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=lang)
        else:
            catalog = Catalog(locale=lang, project="learnlake", charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
        with path.open("wb") as fh:
            write_po(fh, catalog, sort_output=True, no_location=True, ignore_obsolete=True)
        missing[lang] = sum(1 for m in catalog if m.id and not m.string)
    return missing


if __name__ == "__main__":
    result = update()
    print(result)
    sys.exit(0)
