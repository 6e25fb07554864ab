"""Repositories and the use cases of the service layers read on Dispatch's naming ladder: `get`
(by id), `get_by_<x>`, `get_by_<x>_or_raise`, `get_all` / `get_all_by_<x>` for collections,
`get_page...` for pages.

The words refused here are the ones that crept in before (`list`, `get_many`, ...): each says the
same thing as a ladder name, so a reader had to learn two vocabularies for one kind of read."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# A refused first word of a method name, and the ladder name to use instead.
OFF_LADDER_PREFIXES = {
    "list": "get_all / get_all_by_<x>, or get_page for one page of results",
    "find": "get_by_<x> (or get_by_<x>_or_raise)",
    "fetch": "get / get_by_<x>",
    "lookup": "get_by_<x> (or get_by_<x>_or_raise)",
}
OFF_LADDER_NAMES = {"get_many": "get_by_ids (or get_by_<x>s, naming what the ids are)"}
_REPOSITORY_CLASS = re.compile(r"^class \w+Repository\b", re.MULTILINE)


def repository_modules() -> list[Path]:
    """Each app's adapters/repository.py, and any other adapter module holding a repository."""
    apps = [ROOT / "gateway" / "gateway", *sorted((ROOT / "services").glob("*/*"))]
    return [
        module
        for app in apps
        for module in sorted((app / "adapters").glob("*.py"))
        if module.name == "repository.py" or _REPOSITORY_CLASS.search(module.read_text())
    ]


def service_layer_modules() -> list[Path]:
    """Each app's use cases: every module of its service layer."""
    apps = [ROOT / "gateway" / "gateway", *sorted((ROOT / "services").glob("*/*"))]
    return [module for app in apps for module in sorted((app / "service_layer").glob("*.py"))]


def ladder_name_for(method: str) -> str | None:
    """The ladder name to use instead of `method`, or None when the name is on the ladder."""
    if method in OFF_LADDER_NAMES:
        return OFF_LADDER_NAMES[method]
    first_word = method.split("_", 1)[0]
    return OFF_LADDER_PREFIXES.get(first_word)


def off_ladder_names(source: str, filename: str) -> list[str]:
    """One line per public function of the module `source`, or public method of one of its
    classes, whose name is off the ladder."""
    tree = ast.parse(source, filename=filename)
    named = [(node, "") for node in tree.body]
    for klass in ast.walk(tree):
        if isinstance(klass, ast.ClassDef):
            named += [(method, f"{klass.name}.") for method in klass.body]
    return [
        f"{filename}:{node.lineno} {owner}{node.name}: use {ladder}"
        for node, owner in sorted(named, key=lambda pair: pair[0].lineno)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and not node.name.startswith("_")
        and (ladder := ladder_name_for(node.name))
    ]


def test_the_gateway_and_each_service_have_a_repository_module_to_check():
    checked = {str(path.relative_to(ROOT)) for path in repository_modules()}
    assert checked >= {
        "gateway/gateway/adapters/repository.py",
        "gateway/gateway/adapters/email_outbox.py",
        "services/registry/registry/adapters/repository.py",
        "services/registry/registry/adapters/introductions.py",
        "services/matching/matching/adapters/repository.py",
        "services/notifications/notifications/adapters/repository.py",
    }


@pytest.mark.parametrize(
    "module",
    repository_modules() + service_layer_modules(),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_repository_reads_and_use_cases_are_named_on_the_ladder(module: Path):
    offenders = off_ladder_names(module.read_text(), str(module.relative_to(ROOT)))
    assert offenders == [], "\n".join(offenders)


def test_an_off_ladder_read_is_refused_with_the_ladder_name_to_use():
    source = (
        "class ThingRepository:\n"
        "    async def get(self, thing_id): ...\n"
        "    async def list_things(self, *, limit): ...\n"
        "    async def get_many(self, ids): ...\n"
        "    def _list_rows(self): ...\n"
    )
    offenders = off_ladder_names(source, "things.py")
    assert offenders == [
        "things.py:3 ThingRepository.list_things: use "
        "get_all / get_all_by_<x>, or get_page for one page of results",
        "things.py:4 ThingRepository.get_many: use "
        "get_by_ids (or get_by_<x>s, naming what the ids are)",
    ]


def test_the_gateway_and_each_service_have_use_cases_to_check():
    apps = {path.parent.parent.name for path in service_layer_modules()}
    assert apps == {"gateway", "matching", "notifications", "registry"}


def test_an_off_ladder_use_case_is_refused_with_the_ladder_name_to_use():
    source = (
        "async def get_page_of_things(*, uow, limit): ...\n"
        "async def list_things(*, uow, limit): ...\n"
        "def find_thing(*, uow, name): ...\n"
        "async def fetch_thing(*, uow, thing_id): ...\n"
        "async def lookup_owner(*, uow, thing_id): ...\n"
        "async def _list_rows(uow): ...\n"
        "def listing_from(payload): ...\n"
    )
    offenders = off_ladder_names(source, "things.py")
    assert offenders == [
        "things.py:2 list_things: use "
        "get_all / get_all_by_<x>, or get_page for one page of results",
        "things.py:3 find_thing: use get_by_<x> (or get_by_<x>_or_raise)",
        "things.py:4 fetch_thing: use get / get_by_<x>",
        "things.py:5 lookup_owner: use get_by_<x> (or get_by_<x>_or_raise)",
    ]


@pytest.mark.parametrize(
    "name", ["get", "get_by_email", "get_by_email_or_raise", "get_all_by_enterprise", "listing_of"]
)
def test_ladder_names_and_words_that_only_start_alike_pass(name: str):
    assert ladder_name_for(name) is None
