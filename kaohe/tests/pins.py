"""Which pages have their query count pinned: declared by the tests that pin them, read by
kaohe/tests/test_every_url_pinned.py, which fails for a URL name no test declares.

A pin test declares what it pins in one of two ways:
- `@pins("figures:unit")` on the test: when it runs, it also checks that it did open a page of each name
  it declares, so that a declaration cannot outlive the test's requests;
- `pinned_pages(PAGES)` around a parametrized list of addresses (or of tuples holding one): each address
  is resolved to its URL name here, so the list itself is the declaration.

Registering happens when a test module is imported; test_every_url_pinned imports every one.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

from django.core.signals import request_started
from django.urls import Resolver404, resolve

Test = TypeVar("Test", bound=Callable[..., Any])
Pages = TypeVar("Pages", bound=list[Any])

# URL name → where it is pinned: "module::test" for a decorated test, the module for a list
PINNED: dict[str, set[str]] = {}
PLACEHOLDER = re.compile(r"\{[^}]*\}")  # "{activity}" in a list's address: any number resolves the same way


def pins(*names: str) -> Callable[[Test], Test]:
    def declare(test: Test) -> Test:
        where = f"{test.__module__}::{test.__name__}"
        for name in names:
            PINNED.setdefault(name, set()).add(where)

        @functools.wraps(test)
        def opening_each(*args: Any, **kwargs: Any) -> Any:
            with opened() as seen:
                result = test(*args, **kwargs)
            missing = sorted(set(names) - seen)
            assert not missing, f"{where} declares it pins {missing} but opened no such page"
            return result

        return opening_each  # type: ignore[return-value]

    return declare


def pinned_pages(pages: Pages) -> Pages:
    """The list unchanged, each address in it (a string starting with "/") registered under its URL name."""
    where = sys._getframe(1).f_globals.get("__name__", "")  # the test module whose list it is
    for entry in pages:
        for value in entry if isinstance(entry, tuple | list) else (entry,):
            if isinstance(value, str) and value.startswith("/"):
                PINNED.setdefault(url_name_of(value), set()).add(where)
    return pages


def url_name_of(address: str) -> str:
    path = PLACEHOLDER.sub("1", address).split("?")[0]
    match = resolve(path)
    return match.view_name


@contextmanager
def opened() -> Iterator[set[str]]:
    """The URL names of the pages requested (through the test client or a live server) inside the block."""
    seen: set[str] = set()

    def note(sender: Any, environ: dict[str, Any] | None = None, scope: Any = None, **kwargs: Any) -> None:
        path = (environ or {}).get("PATH_INFO") or (scope or {}).get("path", "")
        with suppress(Resolver404):
            seen.add(resolve(path).view_name)

    request_started.connect(note, weak=False)
    try:
        yield seen
    finally:
        request_started.disconnect(note)
