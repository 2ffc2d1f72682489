"""What the benchmarks run on: the demo corpus, and ../shared/perf-data when present."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "newswatch" / "demo_corpus"
PERF_DATA = ROOT.parent / "shared" / "perf-data"


@dataclass(frozen=True)
class Corpus:
    name: str
    pages: tuple[bytes, ...]
    feeds: tuple[bytes, ...]


def _demo_bytes(path: Path) -> bytes:
    return path.read_bytes().replace(b"{base}", b"http://127.0.0.1:8000")


def demo_corpus() -> Corpus:
    pages = tuple(_demo_bytes(p) for p in sorted((DEMO / "pages").rglob("*.html")))
    feeds = tuple(
        _demo_bytes(p) for p in sorted((DEMO / "feeds").glob("*.xml")) if "broken" not in p.name
    )
    return Corpus("demo corpus", pages, feeds)


def perf_corpus() -> Corpus | None:
    """Real pages (gzip) and real feeds; None when ../shared/perf-data is absent."""
    articles = PERF_DATA / "articles"
    if not articles.is_dir():
        return None
    pages = [gzip.decompress(p.read_bytes()) for p in sorted((articles / "html").glob("*.html.gz"))]
    pages += [p.read_bytes() for p in sorted((articles / "trafilatura-cache").glob("*.html"))]
    feeds = tuple(
        p.read_bytes()
        for p in sorted((PERF_DATA / "feeds").rglob("*"))
        if p.is_file() and not p.name.endswith(".json")
    )
    return Corpus("perf-data (real pages)", tuple(pages), feeds)
