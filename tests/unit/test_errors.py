"""Every error feeder raises on purpose has one root, and keeps its standard kind."""

from __future__ import annotations

import inspect

import feeder.errors as errors
from feeder.errors import FeederError, UnknownTopicError


def test_every_error_class_descends_from_feeder_error() -> None:
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if c is not FeederError]
    assert len(classes) >= 20
    assert all(issubclass(c, FeederError) for c in classes)


def test_an_error_that_is_also_a_standard_kind_is_caught_as_either() -> None:
    assert issubclass(UnknownTopicError, KeyError)
    assert issubclass(errors.ParseError, ValueError)
    assert issubclass(errors.FileTooLarge, errors.SourceError)


def test_each_module_raises_the_class_from_errors() -> None:
    from feeder.sources.web import FetchError
    from feeder.store import StoreError

    assert FetchError is errors.FetchError
    assert StoreError is errors.StoreError
