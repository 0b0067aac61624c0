"""Per-item size limits on request lists (issue 12 item 18), with errors a person can act on."""

import pytest
from pydantic import ValidationError

from core.errors import explain_validation_error
from core.schemas import ContentRequest, ProductRequest


def _explained(model, **fields) -> str:
    with pytest.raises(ValidationError) as caught:
        model(**fields)
    return explain_validation_error(caught.value)


def test_one_huge_keyword_is_refused_with_a_readable_reason():
    message = _explained(ContentRequest, topic="Trail running shoes", keywords=["ok", "k" * 2_000_000])
    assert "each of the keywords can have at most 100 characters" in message and "2,000,000" in message
    assert "Traceback" not in message and len(message) < 300
    assert ContentRequest(topic="Trail running shoes", keywords=["k" * 100]).keywords == ["k" * 100]


def test_features_and_attributes_are_bounded():
    assert "features can have at most 300" in _explained(ProductRequest, name="Shoe", features=["f" * 301])
    assert "at most 500" in _explained(ProductRequest, name="Shoe", attributes={"Colour": "v" * 501})
    assert "at most 50 attributes" in _explained(ProductRequest, name="Shoe",
                                                 attributes={f"a{i}": "x" for i in range(51)})
    assert ProductRequest(name="Shoe", features=["grip"], attributes={"Colour": "red"}).features == ["grip"]
