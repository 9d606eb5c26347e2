"""`python -m dashboard.publish`: write the map of one layer as a PNG and an SVG, or the static site.

    python -m dashboard.publish --date 2025-08-05 --level county --view effective --out map.png
    python -m dashboard.publish site --out public/

The credit names GEODATA_PUBLISHER and links to the view at GEODATA_PUBLIC_URL (or prints
`--permalink`); a `--title` keeps to the custom-title rule of `dashboard.publish.titles`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from dashboard.publish.credits import Credit, printable_link
from dashboard.publish.images import render_layer
from dashboard.publish.projection import parse_region
from dashboard.publish.titles import title_problem
from geodata.config import settings
from geodata.files import atomic_write
from geodata.i18n import LANGUAGES, translator
from geodata.layers import VIEWS, build_layer, ordered_dates
from geodata.load import load_dataset
from geodata.vocabulary import LEVELS


def parse_day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date {text!r}: use YYYY-MM-DD, e.g. 2025-08-05") from None


def parse_size(text: str) -> tuple[int, int]:
    width, sep, height = text.lower().partition("x")
    if not (sep and width.strip().isdigit() and height.strip().isdigit()):
        raise argparse.ArgumentTypeError(f"not a size {text!r}: use WIDTHxHEIGHT, e.g. 1920x1080")
    size = int(width), int(height)
    if not (200 <= size[0] <= 10_000 and 150 <= size[1] <= 10_000):
        raise argparse.ArgumentTypeError(f"size {text!r} out of range: 200x150 to 10000x10000 pixels")
    return size


def parse_region_argument(text: str) -> str:
    try:
        return parse_region(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def parse_title(text: str) -> str:
    if problem := title_problem(text):
        raise argparse.ArgumentTypeError(problem)
    return text


def argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard.publish",
        description="Write the map as a PNG and an SVG with the same stem.",
    )
    parser.add_argument("--date", type=parse_day, required=True, help="the day shown, YYYY-MM-DD")
    parser.add_argument("--level", choices=LEVELS, default="state")
    parser.add_argument("--view", choices=tuple(VIEWS), default="effective")
    parser.add_argument("--out", type=Path, required=True, help="output .png (the .svg goes beside it)")
    parser.add_argument("--title", type=parse_title,
                        help="a custom title: printed over the default title, marked as custom")
    parser.add_argument("--region", type=parse_region_argument, help="one state alone: CA, California or 06")
    parser.add_argument("--size", type=parse_size, default=(1200, 800), help="WIDTHxHEIGHT pixels (1200x800)")
    parser.add_argument("--compare-to", type=parse_day, help="an earlier date: show what changed since then")
    parser.add_argument("--permalink", help="link printed in the credit (default: the view at GEODATA_PUBLIC_URL)")
    parser.add_argument("--lang", choices=tuple(LANGUAGES), default="en",
                        help="the language of the words on the image (data text stays as written)")
    return parser


def checked_arguments(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parsed arguments, with the cross-argument rules argparse cannot express (exit 2 otherwise)."""
    args = parser.parse_args(argv)
    if args.out.suffix.lower() not in {".png", ".svg"}:
        parser.error(f"--out must end in .png or .svg, not {args.out.name!r}")
    return args


def site_argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard.publish site",
        description="Write the static edition of the map (every month, every view) to a directory for any "
                    "static host or CDN.",
    )
    parser.add_argument("--out", type=Path, required=True, help="the site's directory (replaced if it holds a site)")
    parser.add_argument("--today", type=parse_day, help="the last date on the slider (default: today)")
    parser.add_argument("--no-cities", action="store_true", help="leave out the city level")
    return parser


def site_main(argv: Sequence[str]) -> int:
    """`python -m dashboard.publish site --out DIR`."""
    from dashboard.publish.site import LEVELS, describe, write_site

    args = site_argument_parser().parse_args(argv)
    config = settings()
    dataset = load_dataset(config=config)
    if dataset.problems:
        print(f"note: {len(dataset.problems)} table rows skipped; `python -m geodata check` lists them",
              file=sys.stderr)
    levels = tuple(level for level in LEVELS if level != "place" or not args.no_cities)
    try:
        summary = write_site(args.out, dataset, config.cache_dir, today=args.today, levels=levels,
                             progress=lambda line: print(line, file=sys.stderr))
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if "place" in levels and "place" not in summary.levels:
        print("note: no city level: the Census place boundaries are not built (`python -m geodata build`)",
              file=sys.stderr)
    print(describe(summary))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["site"]:
        return site_main(argv[1:])
    args = checked_arguments(argument_parser(), argv)
    tr = translator(args.lang)
    if tr.problem:
        print(f"note: {tr.problem}", file=sys.stderr)
    day, compare_to, notice = ordered_dates(args.date, args.compare_to, tr)
    if notice:
        print(f"note: {notice}", file=sys.stderr)
    config = settings()
    for line in config.ignored:
        print(f"note: {line}", file=sys.stderr)
    if args.permalink and not printable_link(args.permalink):
        print(f"note: --permalink {args.permalink!r} is not printed: only an http(s) link to a public host is",
              file=sys.stderr)
    dataset = load_dataset()
    if dataset.problems:
        print(f"note: {len(dataset.problems)} table rows skipped; `python -m geodata check` lists them",
              file=sys.stderr)
    layer = build_layer(dataset, day, args.level, args.view, compare_to, tr.lang)
    for line in layer.notices:
        if line != notice:
            print(f"note: {line}", file=sys.stderr)
    images = render_layer(dataset, layer, title=args.title, region=args.region, size=args.size,
                          permalink=args.permalink, credit=Credit.configured(config))
    try:
        for fmt, data in images.items():
            print(atomic_write(args.out.with_suffix(f".{fmt}"), data))
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0
