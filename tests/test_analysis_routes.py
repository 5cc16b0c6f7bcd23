"""The analysis and export routes, mounted on a FastAPI app over the hand-marked store."""
from __future__ import annotations

import httpx
import networkx as nx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kg.server.routes_analysis import router
from kg.store import store_info
from tests.fixtures_graph import hand_store_dir, seed_store  # noqa: F401


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


# --- the same routes on `kg serve` over the seed build (conftest's server_url) --------------

def test_kg_serve_answers_every_analysis_of_the_seed_graph(server_url, seed_store):
    from kg.analysis.linkage import linkage_report

    with httpx.Client(base_url=server_url, timeout=120) as http:
        link = http.get("/api/analysis/linkage").json()
        expected = linkage_report(seed_store)
        assert link["projects_total"] == expected.projects_total > 100
        assert link["projects_linked"] == expected.projects_linked
        assert len(link["orphan_projects"]) == len(expected.orphan_projects)
        top = link["strategies"][0]
        assert top["by_place"] and top["by_sector"]
        one = http.get("/api/analysis/linkage", params={"strategy": top["strategy"]}).json()
        assert len({l["project"] for l in one["links"]}) == len(top["projects"])
        assert all(s["evidence"]["text"] for l in one["links"] for s in l["steps"] if s["evidence"])
        plan = http.get("/api/analysis/plan-actual").json()
        assert sum(plan["status"].values()) == len(plan["attainment"]) > 100
        for d in http.get("/api/analysis/discrepancies").json()["discrepancies"]:
            assert len({f["document"] for f in d["figures"]}) == 2
            assert all(f["evidence"]["text"] for f in d["figures"])
        central = http.get("/api/analysis/centrality").json()  # the top 10, warmed by the server
        assert {"project", "strategy", "place", "sector"} <= set(central)
        assert all(len(rows) <= 10 and rows[0]["pagerank"] >= rows[-1]["pagerank"] for rows in central.values())
        communities = http.get("/api/analysis/communities").json()["communities"]
        assert len(communities) > 3 and communities[0]["name"].split("、")[0] == communities[0]["member_labels"][0]
        assert http.get("/api/analysis/components").json()["count"] >= 1
        a, b = communities[0]["members"][:2]
        paths = http.get("/api/analysis/paths", params={"source": a, "target": b}).json()["paths"]
        assert paths and paths[0][0]["source"] == a and paths[0][-1]["target"] == b


def test_kg_serve_exports_every_format_and_the_graph_page(server_url, tmp_path):
    from kg.export import FORMATS

    with httpx.Client(base_url=server_url, timeout=120) as http:
        for name in ("graphml", "csv", "dot", "nq", "jsonld"):  # one of each writer family
            f = FORMATS[name]
            r = http.get(f"/api/export/{name}", params={"view": "policy-project"})
            assert r.status_code == 200, name
            assert r.headers["content-type"].split(";")[0] == f.media_type.split(";")[0], name
            assert len(r.content) > 500, name
        (tmp_path / "pp.gexf").write_bytes(http.get("/api/export/gexf", params={"view": "policy-project"}).content)
        pp = nx.read_gexf(tmp_path / "pp.gexf")
        assert {d["type"] for _, d in pp.nodes(data=True)} == {"project", "strategy"}
        around = http.get("/api/export/cytoscape", params={"view": "neighbourhood", "entity": "place/500156"}).json()
        assert "武隆区" in {n["data"]["label"] for n in around["elements"]["nodes"]}
        page = http.get("/graph", params={"view": "policy-project"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert 'id="graph-data"' in page.text and "<script src" not in page.text
