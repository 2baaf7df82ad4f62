"""Fixtures for the services tests: a workspace on a fresh copy of the demo document,
edited by a fixed installation ("alice on COUNCIL-LAPTOP")."""

import uuid

import pytest

from cypdesk.model.installation import Installation

ALICE = Installation(id=str(uuid.UUID(int=0xA11CE)), user="alice", host="COUNCIL-LAPTOP")


@pytest.fixture
def ws(demo_path):
    from cypdesk.model.document import Document
    from cypdesk.services.workspace import Workspace

    doc = Document.open(demo_path, installation=ALICE)
    yield Workspace(doc, ALICE)
    doc.close(discard=True)
