"""Duplicate detection: canonical URLs, content hashes and near-duplicate signatures."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.dedup import (
    canonical_url,
    content_hash,
    hamming_distance,
    is_near_duplicate,
    simhash,
)

STORIES = Path(__file__).parent / "fixtures" / "dedup"


def signature_of(name: str) -> int:
    return simhash((STORIES / name).read_text(encoding="utf-8"))


URL_CASES = [
    ("HTTPS://News.Example.COM/world/story", "https://news.example.com/world/story"),
    ("https://news.example.com:443/a", "https://news.example.com/a"),
    ("http://news.example.com:80/a", "http://news.example.com/a"),
    ("http://news.example.com:8080/a", "http://news.example.com:8080/a"),
    ("https://news.example.com/a#comments", "https://news.example.com/a"),
    (
        "https://news.example.com/a?utm_source=rss&utm_Medium=feed&id=7&fbclid=x&gclid=y",
        "https://news.example.com/a?id=7",
    ),
    (
        "https://news.example.com/a?mc_cid=1&mc_eid=2&ref=home&ocid=msn",
        "https://news.example.com/a",
    ),
    (
        "https://news.example.com/a?page=2&id=7&lang=en",
        "https://news.example.com/a?id=7&lang=en&page=2",
    ),
    ("https://news.example.com/world/story/", "https://news.example.com/world/story"),
    ("https://news.example.com/", "https://news.example.com/"),
    ("https://news.example.com", "https://news.example.com/"),
    ("https://news.example.com//world///story", "https://news.example.com/world/story"),
    ("https://reader:secret@news.example.com/a", "https://news.example.com/a"),
]


@pytest.mark.parametrize(("url", "canonical"), URL_CASES)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


@pytest.mark.parametrize("url", [url for url, _ in URL_CASES])
def test_canonical_url_is_idempotent(url: str) -> None:
    once = canonical_url(url)

    assert canonical_url(once) == once


def test_content_hash_is_stable_under_whitespace_and_case() -> None:
    text = "Baku summons the French envoy.\n\nParis says policy is unchanged."
    rewrapped = "  baku summons the French\tenvoy. Paris says\npolicy is unchanged. "

    assert content_hash(text) == content_hash(rewrapped)
    assert content_hash(text) != content_hash("Baku summons the German envoy.")
    assert len(content_hash(text)) == 64


def test_syndicated_copy_is_near_duplicate() -> None:
    assert is_near_duplicate(signature_of("original.txt"), signature_of("syndicated.txt"))


def test_different_stories_on_the_same_topic_are_not_near_duplicates() -> None:
    original, syndicated, other = (
        signature_of(name) for name in ("original.txt", "syndicated.txt", "same_topic.txt")
    )

    assert not is_near_duplicate(original, other)
    assert not is_near_duplicate(syndicated, other)


def test_text_without_words_is_never_a_near_duplicate() -> None:
    assert simhash(" \n -- ") == 0
    assert not is_near_duplicate(0, 0)


def test_signature_fits_a_bigint() -> None:
    for name in ("original.txt", "syndicated.txt", "same_topic.txt"):
        assert -(2**63) <= signature_of(name) < 2**63


def test_hamming_distance_counts_bits_of_signed_signatures() -> None:
    assert hamming_distance(-1, 0) == 64
    assert hamming_distance(-1, -2) == 1
