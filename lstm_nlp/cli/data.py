"""``lstm-nlp-data``: list the syntax benchmarks and fetch them at their pinned commits.

Positional arguments, so argparse rather than Hydra; ``--help`` and ``list`` import neither
torch nor pooch.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Mapping, Sequence

from lstm_nlp.cli.errors import OneLineParser, fail
from lstm_nlp.evaluation.catalogue import CATALOGUE, Benchmark

PROG = "lstm-nlp-data"
ALL = "all"

EPILOG = """\
examples:
  lstm-nlp-data list
  lstm-nlp-data fetch blimp data/benchmarks            # writes data/benchmarks/blimp/*.jsonl
  lstm-nlp-data fetch all data/benchmarks --trust-unverified

Each file is downloaded from the benchmark's GitHub repository at its pinned commit into a cache
($LSTM_NLP_CACHE/benchmarks, else ~/.cache/lstm-nlp/benchmarks), checked against its pinned
SHA-256, and copied to DIR/NAME only when the whole set is in and verified.  A file whose hash is
not pinned yet is refused unless --trust-unverified; its computed hash is printed either way.
Exit codes: 0 done, 1 download failure, hash mismatch or unverified files, 2 usage error."""


def parser() -> argparse.ArgumentParser:
    p = OneLineParser(
        prog=PROG,
        description="Download syntax benchmarks (BLiMP, Marvin & Linzen, SyntaxGym, ...) at "
        "pinned commits, verified by SHA-256.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(
        dest="command", required=True, metavar="{list,fetch}", parser_class=OneLineParser
    )
    sub.add_parser("list", help="print the catalogue: name, repository, commit, files, what it is")
    f = sub.add_parser("fetch", help="download NAME (or 'all') into DIR/NAME")
    f.add_argument("name", metavar="NAME", help=f"a benchmark of 'list', or '{ALL}'")
    f.add_argument("dir", metavar="DIR", help="the files go to DIR/NAME/...")
    f.add_argument(
        "--base-url",
        metavar="URL",
        help="replaces https://raw.githubusercontent.com (a mirror serving "
        "OWNER/REPO/COMMIT/PATH); default: $LSTM_NLP_BENCHMARK_URL",
    )
    f.add_argument(
        "--cache", metavar="PATH", help="download cache (default: $LSTM_NLP_CACHE/benchmarks)"
    )
    f.add_argument(
        "--trust-unverified",
        action="store_true",
        help="place files that have no pinned SHA-256 (their computed hashes are printed)",
    )
    f.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def list_lines(catalogue: Mapping[str, Benchmark]) -> list[str]:
    """The catalogue as an aligned table."""
    rows = [("NAME", "REPOSITORY", "COMMIT", "FILES", "SHA-256 PINNED", "WHAT IT IS")]
    rows += [
        (b.name, b.repo, b.commit, str(len(b.files)), f"{b.pinned}/{len(b.files)}", b.about)
        for b in catalogue.values()
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[-1] for r in rows]


def chosen(name: str, catalogue: Mapping[str, Benchmark]) -> list[Benchmark]:
    """The benchmarks ``name`` means; an unknown name ends the command (exit 2)."""
    if name == ALL:
        return list(catalogue.values())
    if name in catalogue:
        return [catalogue[name]]
    known = [*catalogue, ALL]
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    fail(PROG, f"unknown benchmark {name!r} (known: {', '.join(known)}){hint}")


def error(message: object) -> int:
    """One line on stderr, exit code 1 (a download or verification failure)."""
    print(f"{PROG}: error: {message}", file=sys.stderr, flush=True)
    return 1


def fetch_command(args: argparse.Namespace, catalogue: Mapping[str, Benchmark]) -> int:
    from lstm_nlp.errors import ConfigError
    from lstm_nlp.evaluation.fetch import FetchError, UnverifiedError, fetch
    from lstm_nlp.schema.paths import check_folder

    benchmarks = chosen(args.name, catalogue)
    try:
        check_folder("DIR", args.dir)
        check_folder("--cache", args.cache)
    except ConfigError as err:
        fail(PROG, err)
    progress = not args.no_progress and sys.stderr.isatty()
    refused: list[str] = []
    for bench in benchmarks:
        try:
            done = fetch(
                bench,
                args.dir,
                base_url=args.base_url,
                cache=args.cache,
                trust_unverified=args.trust_unverified,
                progress=progress,
            )
        except UnverifiedError as err:
            print_hashes(bench, err.hashes)
            if len(benchmarks) == 1:
                return error(err)
            refused.append(bench.name)
            continue
        except FetchError as err:
            return error(err)
        print_hashes(bench, done.unverified)
        trusted = f"; {len(done.unverified)} unverified, trusted" if done.unverified else ""
        print(
            f"{PROG}: {bench.name}: {len(bench.files)} files in {done.folder} "
            f"({done.downloaded} downloaded, {done.cached} from the cache{trusted})",
            flush=True,
        )
    if refused:
        return error(
            f"{', '.join(refused)}: files with no pinned SHA-256 (their computed hashes are "
            "printed above) were not placed; pass --trust-unverified to accept them"
        )
    return 0


def print_hashes(bench: Benchmark, hashes: Mapping[str, str]) -> None:
    """One line per unpinned file: benchmark, repository path, the SHA-256 computed for it."""
    for remote, digest in hashes.items():
        print(f"unpinned  {bench.name}  {remote}  sha256={digest}", flush=True)


def main(
    argv: Sequence[str] | None = None, catalogue: Mapping[str, Benchmark] | None = None
) -> int:
    args = parser().parse_args(argv)
    catalogue = CATALOGUE if catalogue is None else catalogue
    if args.command == "list":
        print("\n".join(list_lines(catalogue)), flush=True)
        return 0
    return fetch_command(args, catalogue)


if __name__ == "__main__":
    sys.exit(main())
