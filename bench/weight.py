"""Benchmark 1: the weight of every page, for every kind of visitor, over realistic data.

    python -m bench.weight [--json FILE]

The pages are those the budget tests check (tests/support/realistic.py): each visitor follows every
link of a site with long titles, right-to-left text and full pages of results. Weight is
deterministic, so one run is the figure; the baseline is the budget.
"""

import argparse
import tempfile
from pathlib import Path

from movements.app.factory import create_app
from tests.support.realistic import (
    CSS_BUDGET,
    HTML_BUDGET,
    TEST_CONFIG,
    VISITOR_KINDS,
    build,
    error_pages_of,
    pages_of,
)

from .common import write_json


def measure() -> dict:
    with tempfile.TemporaryDirectory() as folder:
        site = build(create_app(TEST_CONFIG, instance_path=Path(folder) / "instance"))
        heaviest: dict[str, dict] = {}
        for visitor in VISITOR_KINDS:
            for page in pages_of(site, visitor) + error_pages_of(site):
                name = page.endpoint if page.status < 400 else f"{page.endpoint} ({page.status})"
                if len(page.body) > heaviest.get(name, {}).get("bytes", -1):
                    heaviest[name] = {"bytes": len(page.body), "url": page.url, "as": visitor}
        css_url = site.visitors["anonymous"].get("/").get_data(as_text=True)
        css_url = css_url.split('rel="stylesheet" href="')[1].split('"')[0]
        with site.visitors["anonymous"].get(css_url) as response:
            css_bytes = len(response.get_data())
    sizes = sorted(p["bytes"] for p in heaviest.values())
    return {
        "pages": dict(sorted(heaviest.items(), key=lambda item: -item[1]["bytes"])),
        "css_bytes": css_bytes,
        "html_budget": HTML_BUDGET,
        "css_budget": CSS_BUDGET,
        "median_page_bytes": sizes[len(sizes) // 2],
        "over_budget": [name for name, p in heaviest.items() if p["bytes"] > HTML_BUDGET],
    }


def report(result: dict) -> None:
    print(f"{'page (heaviest version)':<44} {'HTML bytes':>10}   budget {result['html_budget']}")
    for name, page in result["pages"].items():
        flag = "  OVER" if page["bytes"] > result["html_budget"] else ""
        print(f"{name:<44} {page['bytes']:>10}{flag}")
    print(
        f"{'stylesheet (once, then cached)':<44} {result['css_bytes']:>10}   "
        f"budget {result['css_budget']}"
    )
    print(f"{len(result['over_budget'])} of {len(result['pages'])} pages over the HTML budget")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="also write the figures to this file")
    arguments = parser.parse_args()
    result = measure()
    report(result)
    write_json(arguments.json, result)


if __name__ == "__main__":
    main()
