"""The analysis and export routes, mounted on a FastAPI app over the hand-marked store."""
from __future__ import annotations

import networkx as nx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kg.server.routes_analysis import router
from kg.store import store_info
from tests.fixtures_graph import hand_store_dir  # noqa: F401


@pytest.fixture(scope="module")
def client(hand_store_dir):
    app = FastAPI()
    app.state.store_info = store_info(hand_store_dir)
    app.include_router(router)
    return TestClient(app)


def test_linkage_json(client):
    data = client.get("/api/analysis/linkage").json()
    assert data["coverage"] == 0.75 and "links" not in data
    one = client.get("/api/analysis/linkage", params={"strategy": "strategy/西部陆海新通道"}).json()
    assert {l["via"] for l in one["links"]} == {"implements", "section"}
    assert all(step["evidence"]["text"] for l in one["links"] for step in l["steps"])


def test_plan_actual_and_discrepancies(client):
    data = client.get("/api/analysis/plan-actual").json()
    assert data["status"]["missed"] == 1 and data["status"]["met"] >= 7
    d = client.get("/api/analysis/discrepancies").json()["discrepancies"]
    assert d[0]["indicator"] == "社会消费品零售总额"


def test_structure_routes(client):
    assert client.get("/api/analysis/centrality", params={"top": 2}).json()["place"][0]["label"] == "武隆区"
    assert client.get("/api/analysis/communities").json()["communities"]
    assert client.get("/api/analysis/components").json()["count"] > 1
    paths = client.get("/api/analysis/paths", params={"source": "place/500156", "target": "place/500000"}).json()
    assert paths["paths"][0][0]["relation"] == "locatedIn"
    assert client.get("/api/analysis/paths", params={"source": "project/不存在", "target": "place/500000"}).status_code == 404
    assert client.get("/api/analysis/paths", params={"source": "nonsense", "target": "place/500000"}).status_code == 400


def test_export_and_graph_page(client, tmp_path):
    r = client.get("/api/export/graphml", params={"view": "project-place"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/graphml+xml")
    (tmp_path / "g.graphml").write_bytes(r.content)
    assert nx.read_graphml(tmp_path / "g.graphml").number_of_edges() > 0
    assert client.get("/api/export/ttl").headers["content-type"].startswith("text/turtle")
    assert client.get("/api/export/xlsx").status_code == 404
    assert client.get("/api/export/dot", params={"view": "nope"}).status_code == 400
    page = client.get("/graph", params={"view": "neighbourhood", "entity": "place/500156"})
    assert page.status_code == 200 and "重庆市" in page.text and 'id="graph-data"' in page.text
