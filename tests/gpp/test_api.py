"""The GPP JSON API: the criteria library, specs (422s named), bidders and who may see them."""

import copy
import re

import pytest
import yaml

from gpp.library import Library, LibraryError
from kb.taxonomy import Taxonomy
from replan import PROJECT_ROOT, auth
from tests.gpp.conftest import add_user

SPEC_KEYS = {
    "id",
    "application",
    "ambition",
    "language",
    "sections",
    "checklist",
    "market_evidence",
}


def token_for(runtime, email: str, role: str = "procurer") -> dict:
    with runtime.db.session() as session:
        user = add_user(session, email, role)
        return {"Authorization": f"Bearer {auth.create_token(session, user=user)}"}


def new_spec(client, headers=None, **body) -> str:
    answer = client.post(
        "/api/v1/specs",
        json={"application": "road-pavement", "ambition": "core", **body},
        headers=headers or {},
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def fields(answer) -> dict[str, str]:
    assert answer.status_code == 422, answer.text
    return {e["field"]: e["msg"] for e in answer.json()["detail"]}


# --- criteria ------------------------------------------------------------------------------------


@pytest.mark.parametrize("ambition", ["core", "comprehensive"])
def test_criteria_of_an_application(client, runtime, ambition):
    library = runtime.get(Library)
    answer = client.get(
        "/api/v1/criteria", params={"application": "playground", "ambition": ambition}
    )
    assert answer.status_code == 200
    items = answer.json()
    assert [c["id"] for c in items] == [c.id for c in library.criteria_for("playground", ambition)]
    for c in items:
        assert {
            "id",
            "version",
            "applications",
            "type",
            "ambition",
            "title",
            "text",
            "parameters",
            "verification",
            "references",
        } <= set(c)
        assert "playground" in c["applications"]
        for p in c["parameters"].values():
            assert {"default", "min", "max", "unit"} <= set(p)
        for v in c["verification"]:
            assert {"evidence", "phase", "how_to_check"} <= set(v)
    assert {c["ambition"] for c in items} == (
        {"core"} if ambition == "core" else {"core", "comprehensive"}
    )


def test_criteria_with_unknown_application_or_ambition_are_named(client):
    answer = client.get(
        "/api/v1/criteria", params={"application": "moon-base", "ambition": "heroic"}
    )
    errors = fields(answer)
    assert "moon-base" in errors["application"] and "heroic" in errors["ambition"]
    assert {tuple(e["loc"]) for e in answer.json()["detail"]} == {
        ("query", "application"),
        ("query", "ambition"),
    }


def test_whole_library_without_parameters(client, runtime):
    assert len(client.get("/api/v1/criteria").json()) == len(
        [c for c in runtime.get(Library).criteria.values() if c.valid_to is None]
    )


# --- specs ---------------------------------------------------------------------------------------


def test_build_and_read_a_spec_anonymously(client):
    answer = client.post(
        "/api/v1/specs",
        json={
            "application": "road-pavement",
            "ambition": "comprehensive",
            "language": "en",
            "country": "IT",
            "title": "Resurfacing of via Roma",
        },
    )
    assert answer.status_code == 201
    body = answer.json()
    assert set(body) == {"id", "url"} and body["url"].endswith(f"/specs/{body['id']}")
    assert answer.headers["location"] == body["url"]
    spec = client.get(f"/api/v1/specs/{body['id']}").json()
    assert SPEC_KEYS <= set(spec)
    order = ["selection", "technical_specification", "award", "contract_clause"]
    assert [s["type"] for s in spec["sections"]] == order
    for section in spec["sections"]:
        for c in section["criteria"]:
            assert {"id", "title", "text", "parameters", "verification"} <= set(c)
            assert not re.search(r"\{\w+\}", c["text"])
            assert all(isinstance(v, int | float) for v in c["parameters"].values())
    assert {"criterion_id", "evidence", "phase", "how_to_check"} <= set(spec["checklist"][0])
    evidence = spec["market_evidence"]
    assert isinstance(evidence["cases"], int) and isinstance(evidence["countries"], list)
    assert isinstance(evidence["case_ids"], list)


def test_chosen_criteria_and_parameters_are_used(client, runtime):
    library = runtime.get(Library)
    criterion = next(c for c in library.criteria_for("playground", "core") if c.parameters)
    name, p = next(iter(criterion.parameters.items()))
    spec_id = new_spec(
        client,
        application="playground",
        criteria=[criterion.id],
        parameters={criterion.id: {name: p.max}},
    )
    spec = client.get(f"/api/v1/specs/{spec_id}").json()
    [section] = spec["sections"]
    [item] = section["criteria"]
    assert item["id"] == criterion.id and item["parameters"][name] == p.max


def test_spec_errors_are_named(client, runtime):
    library = runtime.get(Library)
    criterion = next(c for c in library.criteria_for("road-pavement", "core") if c.parameters)
    name, p = next(iter(criterion.parameters.items()))
    errors = fields(client.post("/api/v1/specs", json={"application": "moon-base"}))
    assert "moon-base" in errors["application"]
    errors = fields(
        client.post(
            "/api/v1/specs",
            json={
                "application": "road-pavement",
                "ambition": "core",
                "criteria": ["play-ts-impact-attenuation", "no-such-criterion", "road-ac-lca"],
            },
        )
    )
    assert "play-ts-impact-attenuation" in errors["criteria.0"]
    assert "no-such-criterion" in errors["criteria.1"]
    assert "comprehensive" in errors["criteria.2"]
    answer = client.post(
        "/api/v1/specs",
        json={
            "application": "road-pavement",
            "ambition": "core",
            "parameters": {criterion.id: {name: p.max + 1, "bogus": 1}},
        },
    )
    errors = fields(answer)
    assert str(p.max + 1).removesuffix(".0") in errors[f"parameters.{criterion.id}.{name}"]
    assert "bogus" in errors[f"parameters.{criterion.id}.bogus"]
    assert ["body", "parameters", criterion.id, name] in [e["loc"] for e in answer.json()["detail"]]
    errors = fields(
        client.post(
            "/api/v1/specs",
            json={"application": "road-pavement", "parameters": {criterion.id: {name: "lots"}}},
        )
    )
    assert f"parameters.{criterion.id}.{name}" in errors
    errors = fields(
        client.post("/api/v1/specs", json={"application": "road-pavement", "ambition": "heroic"})
    )
    assert "heroic" in errors["ambition"]


def test_unknown_spec_is_404(client):
    answer = client.get("/api/v1/specs/nothing-here")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "There is no specification at this address."}


def test_cookie_signed_in_requests_need_the_csrf_header(client, runtime):
    with runtime.db.session() as session:
        add_user(session, "cookie@example.org")
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    signed = client.post(
        "/login",
        data={
            "email": "cookie@example.org",
            "password": "correct horse battery",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert signed.status_code == 303
    body = {"application": "road-pavement"}
    assert client.post("/api/v1/specs", json=body).status_code == 403
    csrf = re.search(r'data-csrf="([^"]+)"', client.get("/gpp").text).group(1)
    answer = client.post("/api/v1/specs", json=body, headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 201
    mine = client.get("/api/v1/specs").json()["specs"]
    assert [s["id"] for s in mine] == [answer.json()["id"]]


# --- bidders -------------------------------------------------------------------------------------


def test_bidder_routes_need_a_procurer(client, runtime):
    spec_id = new_spec(client)
    url = f"/api/v1/specs/{spec_id}/bidders"
    assert client.post(url, json={"name": "A"}).status_code == 401
    submitter = token_for(runtime, "sub@example.org", "submitter")
    assert client.post(url, json={"name": "A"}, headers=submitter).status_code == 403
    assert client.get(f"{url}/1", headers=submitter).status_code == 403
    assert client.get(f"{url}/1").status_code == 401


def test_bidder_verification_flow_and_ownership(client, runtime):
    alice = token_for(runtime, "alice@example.org")
    bob = token_for(runtime, "bob@example.org")
    spec_id = new_spec(client, headers=alice)
    spec = client.get(f"/api/v1/specs/{spec_id}").json()
    answer = client.post(
        f"/api/v1/specs/{spec_id}/bidders", json={"name": "Asfalti Srl"}, headers=alice
    )
    assert answer.status_code == 201 and set(answer.json()) == {"id"}
    url = f"/api/v1/specs/{spec_id}/bidders/{answer.json()['id']}"
    bidder = client.get(url, headers=alice).json()
    assert {"name", "checks", "summary", "verdict"} <= set(bidder)
    assert bidder["name"] == "Asfalti Srl" and bidder["verdict"] == "pending"
    assert len(bidder["checks"]) == len(spec["checklist"])
    assert bidder["summary"]["pending"] == len(spec["checklist"])

    for n in range(len(bidder["checks"])):
        answer = client.patch(f"{url}/checks/{n}", json={"status": "compliant"}, headers=alice)
        assert answer.status_code == 200
    assert client.get(url, headers=alice).json()["verdict"] == "compliant"
    answer = client.patch(
        f"{url}/checks/0", json={"status": "missing", "note": "No DoP"}, headers=alice
    )
    assert answer.json()["verdict"] == "non_compliant"
    assert answer.json()["checks"][0]["note"] == "No DoP"
    assert answer.json()["summary"]["missing"] == 1

    assert (
        client.patch(f"{url}/checks/999", json={"status": "compliant"}, headers=alice).status_code
        == 404
    )
    assert (
        client.patch(f"{url}/checks/0", json={"status": "great"}, headers=alice).status_code == 422
    )
    # someone else's spec: its bidders do not exist for them
    assert client.get(url, headers=bob).status_code == 404
    assert (
        client.patch(f"{url}/checks/0", json={"status": "compliant"}, headers=bob).status_code
        == 404
    )
    assert (
        client.post(f"/api/v1/specs/{spec_id}/bidders", json={"name": "X"}, headers=bob).status_code
        == 404
    )
    assert client.get(f"/api/v1/specs/{spec_id}/bidders/999", headers=alice).status_code == 404


def test_an_anonymous_spec_is_claimed_by_its_first_bidder(client, runtime):
    alice = token_for(runtime, "alice@example.org")
    bob = token_for(runtime, "bob@example.org")
    spec_id = new_spec(client)
    assert (
        client.post(
            f"/api/v1/specs/{spec_id}/bidders", json={"name": "A"}, headers=alice
        ).status_code
        == 201
    )
    assert (
        client.post(f"/api/v1/specs/{spec_id}/bidders", json={"name": "B"}, headers=bob).status_code
        == 404
    )
    assert [s["id"] for s in client.get("/api/v1/specs", headers=alice).json()["specs"]] == [
        spec_id
    ]


def test_openapi_lists_the_gpp_routes(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/criteria",
        "/api/v1/specs",
        "/api/v1/specs/{spec_id}",
        "/api/v1/specs/{spec_id}/bidders",
        "/api/v1/specs/{spec_id}/bidders/{bidder_id}",
        "/api/v1/specs/{spec_id}/bidders/{bidder_id}/checks/{n}",
    ):
        assert path in paths


def test_a_broken_criteria_file_stops_the_start(tmp_path, monkeypatch, settings):
    from replan.app import build_runtime
    from replan.settings import Settings

    seeds = tmp_path / "seeds"
    (seeds / "criteria").mkdir(parents=True)
    source = PROJECT_ROOT / "seeds" / "criteria" / "rail.yaml"
    data = yaml.safe_load(source.read_text("utf-8"))
    broken = copy.deepcopy(data)
    victim = next(c for c in broken["criteria"] if c["parameters"])
    name, p = next(iter(victim["parameters"].items()))
    p["default"] = p["max"] + 1
    (seeds / "criteria" / "rail.yaml").write_text(yaml.safe_dump(broken), "utf-8")
    monkeypatch.setattr(Settings, "seeds_dir", property(lambda self: seeds))
    with pytest.raises(LibraryError) as info:
        build_runtime(settings)
    assert f"rail.yaml: criterion {victim['id']}: field parameters.{name}" in str(info.value)


def test_a_public_spec_does_not_give_away_its_earlier_versions_address(client, runtime, library):
    """Issue 9, item 14: `previous_id` is the earlier version's capability URL."""
    from gpp import service
    from gpp.models import Spec

    headers = token_for(runtime, "versions@example.org")
    first = new_spec(client, headers)
    with runtime.db.session() as session:
        spec = session.get(Spec, first)
        second = service.copy_spec(
            session,
            library=library,
            spec=spec,
            owner_id=spec.owner_id,
            taxonomy=runtime.get(Taxonomy),
        ).id
    public = client.get(f"/api/v1/specs/{second}")
    assert public.status_code == 200 and public.json()["previous_id"] is None
    assert first not in public.text
    assert first not in client.get(f"/specs/{second}").text
    assert first not in client.get(f"/specs/{second}/export.json").text
    owner = client.get(f"/api/v1/specs/{second}", headers=headers).json()
    assert owner["previous_id"] == first


# --- cover fields and country profiles ------------------------------------------------------------


def test_cover_fields_are_kept_and_answered(client):
    spec_id = new_spec(
        client,
        country="IT",
        language="it",
        buyer_name="Comune di Prova",
        procedure_reference="CIG 1234",
        cpv=["45233140-2", "45233140", "45112720"],
        lots=["Via Roma", {"title": "Via Po"}],
    )
    spec = client.get(f"/api/v1/specs/{spec_id}").json()
    assert spec["buyer_name"] == "Comune di Prova" and spec["procedure_reference"] == "CIG 1234"
    assert spec["cpv"] == ["45233140", "45112720"]  # 8 digits, each once
    assert spec["lots"] == [{"title": "Via Roma"}, {"title": "Via Po"}]
    basis = spec["legal_basis"]
    assert basis["country"] == "IT" and "D.Lgs. 36/2023" in basis["facts"][0]["text"]
    cam = [c for s in spec["sections"] for c in s["criteria"] if c["mandatory"]]
    assert cam and all(c["eforms"]["bt_805"] == "national" for c in cam)


def test_an_unknown_cpv_code_is_named(client):
    answer = client.post(
        "/api/v1/specs",
        json={"application": "road-pavement", "cpv": ["45233140", "45233149"], "lots": [""]},
    )
    assert answer.status_code == 422
    locs = {tuple(e["loc"]) for e in answer.json()["detail"]}
    assert ("body", "cpv", 1) in locs and ("body", "lots", 0, "title") in locs
    assert "45233149" in answer.text


def test_country_rules_answer_422_naming_the_field(client, runtime):
    library = runtime.get(Library)
    # Spain: a spec without a contract clause (Ley 9/2017 art. 202.1)
    chosen = [
        c.id for c in library.criteria_for("road-pavement", "core") if c.type != "contract_clause"
    ]
    answer = client.post(
        "/api/v1/specs", json={"application": "road-pavement", "country": "ES", "criteria": chosen}
    )
    assert "202.1" in fields(answer)["criteria"]
    assert (
        client.post(
            "/api/v1/specs",
            json={"application": "road-pavement", "country": "FR", "criteria": chosen},
        ).status_code
        == 201
    )
    # Italy: a CAM criterion left out, or its minimum lowered
    offered = library.criteria_for("playground", "core")
    cam = next(c for c in offered if c.eforms.national_rule_of == "IT" and c.parameters)
    rest = [c.id for c in offered if c.id != cam.id]
    answer = client.post(
        "/api/v1/specs", json={"application": "playground", "country": "IT", "criteria": rest}
    )
    assert cam.id in fields(answer)["criteria"]
    name = next(n for n in cam.parameters if n.startswith("min_"))
    lower = {cam.id: {name: cam.parameters[name].default - 1}}
    answer = client.post(
        "/api/v1/specs", json={"application": "playground", "country": "IT", "parameters": lower}
    )
    assert answer.status_code == 422
    assert [tuple(e["loc"]) for e in answer.json()["detail"]] == [
        ("body", "parameters", cam.id, name)
    ]
    assert new_spec(client, application="playground", country="ES", parameters=lower)


def test_the_eforms_notice_is_an_export(client):
    spec_id = new_spec(client, country="IT", cpv=["45233140"], buyer_name="Comune di Prova")
    answer = client.get(f"/specs/{spec_id}/export.eforms.xml")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/xml")
    assert answer.headers["content-disposition"].endswith('.eforms.xml"')
    assert b"Comune di Prova" in answer.content and b'listName="cpv">45233140<' in answer.content
    assert client.get(f"/specs/{spec_id}/export.eforms.html").status_code == 404


@pytest.mark.parametrize(
    ("country", "language"),
    [
        ("IT", "it"),
        ("FR", "fr"),
        ("ES", "es"),
        ("PL", "pl"),
        ("GR", "el"),
        ("SI", "sl"),
        ("DE", "en"),
    ],
)
def test_documents_carry_the_country_legal_basis_and_mandatory_criteria(client, country, language):
    from gpp.countries import profile_for

    spec_id = new_spec(client, application="playground", country=country, language=language)
    spec = client.get(f"/api/v1/specs/{spec_id}").json()
    markdown = client.get(f"/specs/{spec_id}/export.md").text
    document = markdown.replace("\\[", "[").replace("\\]", "]")  # Markdown escapes brackets
    profile = profile_for(country)
    for fact in profile.facts:
        text = " ".join((fact.text.get(language) or fact.text["en"]).split())
        assert text in " ".join(document.split()), (country, fact.topic)
        if not fact.confirmed:
            assert (fact.buyer_sets.get(language) or fact.buyer_sets["en"]) in document
    mandatory = [c["title"] for s in spec["sections"] for c in s["criteria"] if c["mandatory"]]
    assert bool(mandatory) == (country == "IT")
    if mandatory:
        assert document.count("D.Lgs. 36/2023") > len(mandatory)
    # Italy: the "Relazione CAM" skeleton, one row per CAM criterion, for the designer
    report = document.partition("Relazione CAM")[2].partition("\n## ")[0]
    assert bool(report) == (country == "IT")
    cam = [
        c for s in spec["sections"] for c in s["criteria"] if c["eforms"]["bt_805"] == "national"
    ]
    for c in cam:
        assert c["title"] in report and c["verification"][0]["evidence"] in report
    assert "[" in document  # the buyer's name and the procedure reference are placeholders


ROAD_CAM = ["road-ts-cam-wearing-course-noise", "road-ts-cam-recycled-content-layers"]
SPORT_CAM = ["sport-cpc-cam-edilizia-report", "bld-ts-rubber-flooring-recycled"]


@pytest.mark.parametrize(
    ("application", "cam"),
    [
        ("road-pavement", ROAD_CAM),
        ("sports-surface", SPORT_CAM),
    ],
)
def test_italian_road_and_sports_documents_carry_the_cam_strade_and_edilizia(
    client, runtime, application, cam
):
    library = runtime.get(Library)
    spec_id = new_spec(client, application=application, country="IT", language="it")
    spec = client.get(f"/api/v1/specs/{spec_id}").json()
    mandatory = {c["id"]: c for s in spec["sections"] for c in s["criteria"] if c["mandatory"]}
    assert set(cam) <= set(mandatory)
    document = " ".join(client.get(f"/specs/{spec_id}/export.md").text.split())
    report = document.partition("Relazione CAM")[2]
    for criterion_id in cam:
        italian = library.localised(library.get(criterion_id), "it")
        assert mandatory[criterion_id]["title"] == italian.title
        assert italian.title in document and italian.title in report
    words = ("n. 279", "2.2.4", "2.3.1") if application == "road-pavement" else ("3.1.1",)
    assert all(word in document for word in words)
    # an Italian spec cannot leave them out
    rest = [c.id for c in library.criteria_for(application, "core") if c.id not in cam]
    answer = client.post(
        "/api/v1/specs",
        json={"application": application, "country": "IT", "language": "it", "criteria": rest},
    )
    assert answer.status_code == 422, answer.text
    refused = " ".join(e["msg"] for e in answer.json()["detail"] if e["field"] == "criteria")
    assert all(c in refused for c in cam)
    # the library says which CAM minimums the procurer enters from the decree
    offered = client.get("/api/v1/criteria", params={"application": application}).json()
    unconfirmed = {c["id"] for c in offered for p in c["parameters"].values() if not p["confirmed"]}
    assert unconfirmed == {
        "road-ts-cam-recycled-content-layers"
        if application == "road-pavement"
        else "bld-ts-rubber-flooring-recycled"
    }


@pytest.mark.parametrize("language", ["en", "it"])
def test_documents_print_parameter_labels_not_keys(client, runtime, language):
    library = runtime.get(Library)
    spec_id = new_spec(client, ambition="comprehensive", language=language)
    document = client.get(f"/specs/{spec_id}/export.md").text
    offered = library.criteria_for("road-pavement", "comprehensive")
    keys = {name for c in offered for name in c.parameters}
    assert keys and not [k for k in keys if k in document]
    labels = [
        library.localised(c, language).parameters[n].label for c in offered for n in c.parameters
    ]
    assert all(label.replace("*", "") in document.replace("\\", "") for label in labels)


def test_the_spec_page_offers_the_notice_and_the_documents_for_tenderers(client):
    spec_id = new_spec(client, country="IT")
    page = client.get(f"/specs/{spec_id}").text
    assert f"/specs/{spec_id}/export.eforms.xml" in page
    assert f"/specs/{spec_id}/export.docx?notes=false" in page
    full = client.get(f"/specs/{spec_id}/export.md").text
    tender = client.get(f"/specs/{spec_id}/export.md?notes=false").text
    assert "Notes for the buyer" in full and "Notes for the buyer" not in tender
