"""The Bitstring Status List against the example encodedList of the W3C specification."""

import pytest

from trust_lesson.evidence.status_list import MIN_ENTRIES, StatusList, StatusListError

W3C_EXAMPLE = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def test_the_specification_example_is_131072_unset_entries() -> None:
    example = StatusList.decode(W3C_EXAMPLE)
    assert len(example) == MIN_ENTRIES
    assert example.set_indices() == []


def test_a_revoked_entry_survives_encoding_and_index_zero_is_the_leftmost_bit() -> None:
    status = StatusList()
    status.set(0)
    status.set(94_567)
    encoded = status.encode()
    assert encoded.startswith("uH4sI")
    assert "=" not in encoded and "+" not in encoded and "/" not in encoded
    decoded = StatusList.decode(encoded)
    assert decoded.set_indices() == [0, 94_567]
    assert StatusList(bytearray(b"\x80" + bytes(MIN_ENTRIES // 8 - 1))).set_indices() == [0]
    decoded.set(0, False)
    assert not decoded.get(0)


@pytest.mark.parametrize(
    "encoded", ["", W3C_EXAMPLE[1:], "z" + W3C_EXAMPLE[1:], W3C_EXAMPLE + "=", W3C_EXAMPLE[:-8]]
)
def test_malformed_lists_are_refused(encoded: str) -> None:
    with pytest.raises(StatusListError):
        StatusList.decode(encoded)


def test_a_list_smaller_than_16_kib_or_an_index_outside_is_refused() -> None:
    with pytest.raises(StatusListError, match="at least"):
        StatusList(bytearray(100))
    with pytest.raises(StatusListError, match="outside"):
        StatusList().get(MIN_ENTRIES)
