"""Fetching efficiency: requests in flight at once against servers that answer after a fixed
latency, compared with the ideal rate (concurrency / latency). Each of `hosts` servers listens on
its own loopback address (127.0.0.x), so per-host limits apply as they do on the web."""

from __future__ import annotations

import asyncio
import time
from ipaddress import ip_network

from benchmarks.servers import slow_hosts
from extractors.http import Fetcher, FetchResult, HttpPolicy


def run(concurrency: int = 50, latency_s: float = 0.1, rounds: int = 6) -> dict[str, float]:
    """`concurrency` hosts with one request each in flight, `rounds` times over; the efficiency is
    the ideal time (rounds x latency) over the time taken."""
    policy = HttpPolicy(allowed_networks=(ip_network("127.0.0.0/8"),), per_host_concurrency=1)
    with slow_hosts(concurrency, latency_s) as bases:
        urls = [f"{base}/feed/{r}.xml" for r in range(rounds) for base in bases]

        async def fetch_all() -> float:
            async with Fetcher(policy) as fetcher:
                await fetcher.fetch_many(bases)  # connections open, as in a running worker
                started = time.perf_counter()
                results = await fetcher.fetch_many(urls)
                took = time.perf_counter() - started
            assert all(isinstance(r, FetchResult) for r in results), results[:3]
            return took

        seconds = asyncio.run(fetch_all())
    ideal = rounds * latency_s
    return {
        "requests": len(urls),
        "concurrency": concurrency,
        "latency_s": latency_s,
        "seconds": seconds,
        "efficiency": ideal / seconds,
    }
