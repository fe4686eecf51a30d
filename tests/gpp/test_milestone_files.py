"""Milestone evidence files leave the disk with their spec: when it goes with its owner's account,
and only once that deletion has committed (SQLite and PostgreSQL)."""

import io
import re

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from gpp import milestone_files
from gpp.contract_models import MilestoneFile
from gpp.models import Spec
from replan.app import build_runtime, create_app
from replan.migrations import upgrade
from tests.conftest import make_settings
from tests.gpp.test_api import new_spec
from tests.kb.test_moderation_support import PASSWORD, sign_in


@pytest.fixture
def site(db_url, tmp_path):
    settings = make_settings(tmp_path, database_url=db_url)
    upgrade(db_url)
    runtime = build_runtime(settings)
    app = create_app(settings, runtime)
    with TestClient(app):
        yield app, runtime
    runtime.close()


def _post(person, url, **data):
    return person.client.post(
        url, data={"csrf_token": person.token, **data}, follow_redirects=False
    )


def evidence(app, runtime, email: str) -> tuple[object, str]:
    """A procurer whose awarded spec has one photo on a milestone; return them and the spec."""
    owner = sign_in(app, runtime, "procurer", email=email)
    spec_id = new_spec(owner.client, {"X-CSRF-Token": owner.token}, title="Via Verdi")
    owner.client.post(
        f"/api/v1/specs/{spec_id}/bidders",
        json={"name": "Strade Srl"},
        headers={"X-CSRF-Token": owner.token},
    )
    _post(owner, f"/specs/{spec_id}/status", status="tendering")
    page = owner.client.get(f"/specs/{spec_id}/contract").text
    bidder_id = re.search(r'<option value="(\d+)">Strade Srl', page).group(1)
    _post(owner, f"/specs/{spec_id}/award", bidder_id=bidder_id, reason="Cheapest LCC")
    page = owner.client.get(f"/specs/{spec_id}/contract").text
    n = re.search(r'id="milestone-(\d+)"', page).group(1)
    photo = io.BytesIO()
    Image.new("RGB", (8, 8)).save(photo, "PNG")
    done = owner.client.post(
        f"/specs/{spec_id}/contract/milestones/{n}/files",
        data={"csrf_token": owner.token},
        files={"file": ("works.png", photo.getvalue())},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text[:300]
    return owner, spec_id


def stored_files(runtime) -> list:
    folder = runtime.settings.upload_dir / milestone_files.FOLDER
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_deleting_the_account_removes_its_specs_evidence_files(site):
    app, runtime = site
    owner, spec_id = evidence(app, runtime, "leaving@example.org")
    _, kept_spec = evidence(app, runtime, "staying@example.org")
    on_disk = stored_files(runtime)
    assert len(on_disk) == 2
    with runtime.db.session() as session:
        kept = session.scalar(
            MilestoneFile.__table__.select()
            .with_only_columns(MilestoneFile.stored_name)
            .where(MilestoneFile.spec_id == kept_spec)
        )
    done = _post(owner, "/account/delete", password=PASSWORD, confirm="yes")
    assert done.status_code == 303
    with runtime.db.session() as session:
        assert session.get(Spec, spec_id) is None
        assert session.get(Spec, kept_spec) is not None
    # The leaving procurer's photo is gone; the other procurer's stays.
    assert [p.name for p in stored_files(runtime)] == [kept]


def test_files_stay_while_the_deletion_is_not_committed(site):
    app, runtime = site
    _, spec_id = evidence(app, runtime, "owner@example.org")
    assert len(stored_files(runtime)) == 1
    folder = runtime.settings.upload_dir
    with runtime.unit_of_work() as uow:
        milestone_files.delete_specs(uow=uow, upload_dir=folder, where=Spec.id == spec_id)
        uow.rollback()  # the deletion fails: rows and files stay
    assert len(stored_files(runtime)) == 1
    with runtime.db.session() as session:
        assert session.get(Spec, spec_id) is not None
    with runtime.unit_of_work() as uow:
        milestone_files.delete_specs(uow=uow, upload_dir=folder, where=Spec.id == spec_id)
        assert len(stored_files(runtime)) == 1  # not before the commit
        uow.commit()
    assert stored_files(runtime) == []
    with runtime.db.session() as session:
        assert session.get(Spec, spec_id) is None
        assert session.query(MilestoneFile).count() == 0
