"""The RFC 6962 tree against the published vectors (transparency-dev/merkle, the reference
implementation's test data for RFC 6962), and properties over random trees."""

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trust_lesson.evidence import merkle

LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
)]  # fmt: skip
ROOTS = [bytes.fromhex(h) for h in (
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
)]  # fmt: skip
H = bytes.fromhex
INCLUSION = [  # (leaf index, tree size, audit path)
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (0, 1, []),
]  # fmt: skip
CONSISTENCY = [  # (old size, new size, proof)
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (1, 1, []),
]  # fmt: skip
HASHES = [merkle.leaf_hash(leaf) for leaf in LEAVES]


def test_the_empty_tree_is_the_hash_of_nothing() -> None:
    assert merkle.root_hash([]) == hashlib.sha256(b"").digest()
    assert merkle.EMPTY_ROOT.hex().startswith("e3b0c442")


@pytest.mark.parametrize("size", range(1, 9))
def test_tree_heads_match_the_reference_vectors(size: int) -> None:
    assert merkle.root_hash(HASHES[:size]) == ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_inclusion_proofs_match_and_verify(index: int, size: int, path: list[str]) -> None:
    proof = [H(p) for p in path]
    assert merkle.inclusion_proof(HASHES[:size], index) == proof
    assert merkle.verify_inclusion(index, size, HASHES[index], proof, ROOTS[size - 1])
    assert not merkle.verify_inclusion(index, size, HASHES[index], proof, ROOTS[size - 2])
    assert not merkle.verify_inclusion(index, size * 2, HASHES[index], proof, ROOTS[size - 1])
    assert not merkle.verify_inclusion(index, size, b"WrongLeaf", proof, ROOTS[size - 1])
    assert not merkle.verify_inclusion(
        index, size, HASHES[index], [*proof, ROOTS[size - 1]], ROOTS[size - 1]
    )
    if proof:
        assert not merkle.verify_inclusion(index, size, HASHES[index], proof[:-1], ROOTS[size - 1])


@pytest.mark.parametrize(("old", "new", "path"), CONSISTENCY)
def test_consistency_proofs_match_and_verify(old: int, new: int, path: list[str]) -> None:
    proof = [H(p) for p in path]
    old_root, new_root = ROOTS[old - 1], ROOTS[new - 1]
    assert merkle.consistency_proof(HASHES[:new], old) == proof
    assert merkle.verify_consistency(old, new, old_root, new_root, proof)
    if proof:
        assert not merkle.verify_consistency(old, new, new_root, old_root, proof)
        assert not merkle.verify_consistency(old, new, old_root, new_root, proof[:-1])
        assert not merkle.verify_consistency(old, new, old_root, new_root, [proof[0], *proof])
        assert not merkle.verify_consistency(old + 1, new, old_root, new_root, proof)


def test_sizes_that_are_always_consistent_and_time_travel() -> None:
    assert merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, ROOTS[4], [])
    assert merkle.verify_consistency(3, 3, ROOTS[2], ROOTS[2], [])
    assert not merkle.verify_consistency(3, 3, ROOTS[2], ROOTS[3], [])
    assert not merkle.verify_consistency(4, 3, ROOTS[3], ROOTS[2], [])
    assert not merkle.verify_consistency(1, 2, ROOTS[0], ROOTS[1], [])


def test_a_leaf_outside_the_tree_has_no_proof() -> None:
    with pytest.raises(ValueError, match="not in a tree"):
        merkle.inclusion_proof(HASHES[:3], 3)
    assert not merkle.verify_inclusion(3, 3, HASHES[0], [], ROOTS[2])


def _flip(proof: list[bytes], which: int, bit: int) -> list[bytes]:
    changed = bytearray(proof[which])
    changed[bit // 8 % merkle.HASH_SIZE] ^= 1 << (bit % 8)
    return [*proof[:which], bytes(changed), *proof[which + 1 :]]


trees = st.lists(st.binary(max_size=8), min_size=1, max_size=70)
# No per-example deadline: the machine is shared, and a slow example is not a wrong one.
relaxed = settings(deadline=None)


@relaxed
@given(trees, st.data())
def test_every_inclusion_proof_verifies_and_a_flipped_bit_fails(
    entries: list[bytes], data: st.DataObject
) -> None:
    hashes = [merkle.leaf_hash(e) for e in entries]
    root = merkle.root_hash(hashes)
    index = data.draw(st.integers(0, len(entries) - 1))
    proof = merkle.inclusion_proof(hashes, index)
    assert merkle.verify_inclusion(index, len(entries), hashes[index], proof, root)
    assert not merkle.verify_inclusion(
        index, len(entries), hashes[index], proof, _flip([root], 0, 3)[0]
    )
    if proof:
        which = data.draw(st.integers(0, len(proof) - 1))
        bit = data.draw(st.integers(0, 255))
        flipped = _flip(proof, which, bit)
        assert not merkle.verify_inclusion(index, len(entries), hashes[index], flipped, root)


@relaxed
@given(trees, st.data())
def test_every_consistency_proof_verifies_and_a_flipped_bit_fails(
    entries: list[bytes], data: st.DataObject
) -> None:
    hashes = [merkle.leaf_hash(e) for e in entries]
    old = data.draw(st.integers(0, len(entries)))
    old_root, new_root = merkle.root_hash(hashes[:old]), merkle.root_hash(hashes)
    proof = merkle.consistency_proof(hashes, old)
    assert merkle.verify_consistency(old, len(entries), old_root, new_root, proof)
    if proof:
        which = data.draw(st.integers(0, len(proof) - 1))
        flipped = _flip(proof, which, data.draw(st.integers(0, 255)))
        assert not merkle.verify_consistency(old, len(entries), old_root, new_root, flipped)


@relaxed
@given(trees)
def test_the_level_by_level_root_is_the_rfc_recursion(entries: list[bytes]) -> None:
    def mth(hashes: list[bytes]) -> bytes:
        if len(hashes) == 1:
            return hashes[0]
        k = 1 << ((len(hashes) - 1).bit_length() - 1)
        return merkle.node_hash(mth(hashes[:k]), mth(hashes[k:]))

    hashes = [merkle.leaf_hash(e) for e in entries]
    assert merkle.root_hash(hashes) == mth(hashes)


def test_a_tree_grown_leaf_by_leaf_has_the_reference_roots() -> None:
    tree = merkle.TreeBuilder()
    assert tree.root() == merkle.EMPTY_ROOT
    for size, entry_hash in enumerate(HASHES, start=1):
        tree.append(entry_hash)
        assert (tree.size, tree.root()) == (size, ROOTS[size - 1])


@relaxed
@given(trees)
def test_growing_the_tree_gives_the_root_at_every_size(entries: list[bytes]) -> None:
    hashes = [merkle.leaf_hash(e) for e in entries]
    tree = merkle.TreeBuilder()
    for size, entry_hash in enumerate(hashes, start=1):
        tree.append(entry_hash)
        assert tree.root() == merkle.root_hash(hashes[:size])


@relaxed
@given(trees, st.data())
def test_a_tree_resumed_from_its_peaks_grows_like_the_original(
    entries: list[bytes], data: st.DataObject
) -> None:
    hashes = [merkle.leaf_hash(e) for e in entries]
    split = data.draw(st.integers(0, len(hashes)))
    first = merkle.TreeBuilder()
    for entry_hash in hashes[:split]:
        first.append(entry_hash)
    resumed = merkle.TreeBuilder.resume(split, first.peaks())
    for entry_hash in hashes[split:]:
        resumed.append(entry_hash)
    assert resumed.root() == merkle.root_hash(hashes)
    with pytest.raises(ValueError, match="peaks"):
        merkle.TreeBuilder.resume(split, first.peaks() + bytes(merkle.HASH_SIZE))
