"""Fixtures of the unit stories: the registry's and the matcher's reference data, read once from
data/, and the notifications service's email renderer."""

from __future__ import annotations

import pytest

from devstack.stack import ROOT
from matching.adapters.reference_files import load_gazetteer, load_taxonomy
from matching.domain.index import MatchIndex
from matching.domain.scoring import Scorer
from matching.domain.taxonomy import Lexicon
from notifications.adapters.rendering import TemplateRenderer
from registry.adapters.reference_files import load_reference


@pytest.fixture(scope="session")
def reference():
    """The registry's regions, sectors and units."""
    return load_reference(ROOT / "data")


@pytest.fixture(scope="session")
def taxonomy():
    return load_taxonomy(ROOT / "data")


@pytest.fixture(scope="session")
def places():
    return load_gazetteer(ROOT / "data")


@pytest.fixture(scope="session")
def lexicon(taxonomy):
    return Lexicon.build(taxonomy)


@pytest.fixture
def index(taxonomy, places, lexicon):
    """An empty matching index with the default scoring policy."""
    return MatchIndex(Scorer(taxonomy, places), lexicon)


@pytest.fixture(scope="session")
def renderer() -> TemplateRenderer:
    """The notifications service's email templates, loaded once."""
    return TemplateRenderer()
