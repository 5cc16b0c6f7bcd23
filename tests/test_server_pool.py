"""The query pool's fair admission and worker recycling, on real worker processes.

A heavy query here is a three-way join over the sample graph (110 quads: 1.3 M solutions to
count, ~0.2 s of CPU, so the pools here count 0.05 s of CPU as heavy); a light one asks for a
few triples. Orderings are compared, never absolute times.
"""
from __future__ import annotations

import asyncio

import pytest

from kg.server.pool import (HEAVY, LIGHT, EndpointBusy, QueryCosts, QueryPool, looks_heavy,
                            query_shape)
from kg.sparql import QueryJob, QueryTimeout
from kg.store import store_info

HEAVY_QUERY = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?x { ?a ?b ?c } GRAPH ?y { ?d ?e ?f } "
               "GRAPH ?z { ?g ?h ?i } }")
# Counts ~10^8 solutions: far past any time limit a test sets.
ENDLESS = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?w { ?j ?k ?l } GRAPH ?x { ?a ?b ?c } "
           "GRAPH ?y { ?d ?e ?f } GRAPH ?z { ?g ?h ?i } }")
LIGHT_QUERY = "SELECT ?s WHERE { ?s a <https://w3id.org/policykg/ontology#Project> } LIMIT 5"
# Grows a worker's heap by ~10 MiB that it keeps afterwards (a DISTINCT over 1.3 M solutions).
BALLOONING = ("SELECT (COUNT(*) AS ?n) WHERE { { SELECT DISTINCT ?a ?c ?d ?g WHERE { "
              "GRAPH ?x { ?a ?b ?c } GRAPH ?y { ?d ?e ?f } GRAPH ?z { ?g ?h ?i } } } }")


# --- what a query costs -----------------------------------------------------------------------

def test_query_shape_blanks_what_does_not_change_the_cost():
    a = query_shape('SELECT ?s WHERE { ?s rdfs:label "重庆市"@zh } LIMIT 10 # page 1')
    b = query_shape("SELECT ?s\n  WHERE { ?s rdfs:label '北京市'@zh }\tLIMIT 200 # page 2")
    assert a == b == 'SELECT ?s WHERE { ?s rdfs:label ""@zh } LIMIT 0'
    # an IRI keeps its '#', a variable its digits; the pattern's structure stays
    assert query_shape("ASK { ?x1 a <https://w3id.org/policykg/ontology#Document> }") == \
        "ASK { ?x1 a <https://w3id.org/policykg/ontology#Document> }"
    assert query_shape("SELECT * { ?a ?b ?c }") != query_shape("SELECT * { ?a ?b ?c . ?c ?d ?e }")


def test_shapes_never_run_are_estimated():
    assert looks_heavy(query_shape(HEAVY_QUERY))
    assert looks_heavy(query_shape("SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?c ?d ?e }"))
    # the projection is not a pattern; one scan with a LIMIT is cheap
    assert not looks_heavy(query_shape("SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10"))
    assert not looks_heavy(query_shape(LIGHT_QUERY))


def test_costs_are_learned_per_shape():
    costs = QueryCosts(heavy_after=0.5, kept=2)
    looks_light = "SELECT (COUNT(*) AS ?n) { ?s <urn:p> ?o . ?o <urn:q> ?x } # 1"
    shape = query_shape(looks_light)
    assert costs.classify(shape) == LIGHT
    costs.observe(shape, 2.0)
    assert costs.classify(query_shape(looks_light.replace("# 1", "# 2"))) == HEAVY
    costs.observe(shape, 0.01)  # a running mean: one cheap run does not clear it at once
    assert costs.classify(shape) == HEAVY
    for _ in range(3):
        costs.observe(shape, 0.01)
    assert costs.classify(shape) == LIGHT
    heavy_shape = query_shape(HEAVY_QUERY)
    costs.observe(heavy_shape, 0.01)  # measured cheap (a small store): learning wins
    assert costs.classify(heavy_shape) == LIGHT
    costs.observe("a", 1.0)
    costs.observe("b", 1.0)
    assert len(costs) == 2 and costs.classify(shape) == LIGHT  # the oldest shape was dropped


# --- a real pool --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def version_path(sample_store_dir):
    return store_info(sample_store_dir).version_path


async def _timed(pool: QueryPool, query: str, done: list) -> object:
    try:
        result = await pool.run(QueryJob(query))
    except (EndpointBusy, QueryTimeout) as e:
        result = e
    done.append(query)
    return result


def test_light_queries_get_a_worker_heavy_ones_cannot_take(version_path):
    async def scenario():
        pool = QueryPool(version_path, workers=2, timeout=60, heavy_queue_length=1,
                         heavy_after=0.05)
        await pool.start()
        try:
            assert (pool.heavy_workers, pool.light_reserve) == (1, 1)
            done: list[str] = []
            heavy = [HEAVY_QUERY + f" # {i}" for i in range(3)]
            results = await asyncio.gather(*(_timed(pool, q, done) for q in heavy),
                                           _timed(pool, LIGHT_QUERY, done))
            stats = pool.stats()
            return pool, done, heavy, results, stats
        finally:
            await pool.close()

    pool, done, heavy, results, stats = asyncio.run(scenario())
    first, second, third, light = results
    assert b'"n"' in first.body and b'"n"' in second.body  # both ran, one after the other
    # the third found one heavy query running and one waiting: refused at once, politely
    assert isinstance(third, EndpointBusy) and third.retry_after >= 1
    assert "too many expensive queries" in str(third) and "cheap queries are still" in str(third)
    assert done.index(heavy[2]) == 0  # refused before anything ran
    # the light query did not wait for the heavy ones: the worker they may not hold was free
    assert b"project" in light.body and done.index(LIGHT_QUERY) < done.index(heavy[0])
    assert stats["refused"] == {LIGHT: 0, HEAVY: 1} and stats["busy"] == 0
    # and the pool learned what each shape costs (CPU time in the worker)
    assert pool.costs.classify(query_shape(HEAVY_QUERY)) == HEAVY
    assert pool.costs.classify(query_shape(LIGHT_QUERY)) == LIGHT


def test_a_wait_past_the_queue_time_is_busy(version_path):
    async def scenario():
        # the first query holds the only worker until the time limit stops it, however fast
        # the machine: the second waits past its queue time meanwhile
        pool = QueryPool(version_path, workers=1, timeout=1.5, queue_timeout=0.2)
        await pool.start()
        try:
            return await asyncio.gather(*(_timed(pool, q, []) for q in (ENDLESS, HEAVY_QUERY)))
        finally:
            await pool.close()

    stopped, waited = asyncio.run(scenario())
    assert isinstance(stopped, QueryTimeout)
    assert isinstance(waited, EndpointBusy)
    assert "no query worker became free for this expensive query within 0.2 s" in str(waited)


def test_workers_are_recycled_after_a_number_of_queries_and_after_memory_growth(version_path):
    async def scenario():
        counted = QueryPool(version_path, workers=1, timeout=60, recycle_after=2)
        grown = QueryPool(version_path, workers=1, timeout=60, recycle_growth=4 * 2**20)
        await asyncio.gather(counted.start(), grown.start())
        try:
            pids = []
            for i in range(5):
                await counted.run(QueryJob(LIGHT_QUERY + f" # {i}"))
                await _settled(counted)
                pids.append(counted._idle[0].process.pid)
            first = grown._idle[0].process.pid
            await grown.run(QueryJob(LIGHT_QUERY))
            await _settled(grown)
            after_light = grown._idle[0].process.pid
            result = await grown.run(QueryJob(BALLOONING))
            await _settled(grown)
            return pids, counted.stats(), first, after_light, result, grown, \
                grown._idle[0].process.pid
        finally:
            await asyncio.gather(counted.close(), grown.close())

    pids, stats, first, after_light, result, grown, last = asyncio.run(scenario())
    # a fresh worker after every second query; the pool never shrank
    assert pids[0] != pids[1] == pids[2] != pids[3] == pids[4]
    assert stats["recycled"] == 2 and stats["replaced"] == 0
    assert first == after_light  # a light query leaves the heap as it was
    assert b'"n"' in result.body  # answered, then its worker (heap +10 MiB) was replaced
    assert grown.recycled == 1 and last != first


async def _settled(pool: QueryPool) -> None:
    """Until every worker is ready and idle again (a recycled one is replaced in the background)."""
    for _ in range(600):
        if len(pool._idle) == pool.size and not pool._running:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(pool.stats())
