"""The Merkle tree of RFC 6962 / RFC 9162 section 2.1, with inclusion and consistency proofs.

Leaves are hashed as SHA-256(0x00 || entry), inner nodes as SHA-256(0x01 || left || right);
a tree of n > 1 leaves splits at k, the largest power of two smaller than n. The tree of no
leaves hashes to SHA-256(""). Proofs list the sibling hashes from the leaf upwards, exactly as
the RFC's PATH and SUBPROOF define them, so any RFC 6962 verifier can check ours.
"""

import hashlib
from collections.abc import Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two smaller than size (size > 1)."""
    return 1 << ((size - 1).bit_length() - 1)


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """The tree head over these leaf hashes (pairing level by level gives the RFC's tree)."""
    if not leaf_hashes:
        return EMPTY_ROOT
    level = list(leaf_hashes)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def _subtree(leaf_hashes: Sequence[bytes], start: int, end: int) -> bytes:
    return root_hash(leaf_hashes[start:end])


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """RFC 6962 PATH(index, D[n]): the audit path of one leaf, from the leaf upwards."""
    if not 0 <= index < len(leaf_hashes):
        raise ValueError(f"leaf {index} is not in a tree of {len(leaf_hashes)} leaves")
    path: list[bytes] = []
    start, end = 0, len(leaf_hashes)
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append(_subtree(leaf_hashes, start + k, end))
            end = start + k
        else:
            path.append(_subtree(leaf_hashes, start, start + k))
            start += k
    path.reverse()
    return path


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int) -> list[bytes]:
    """RFC 6962 PROOF(old_size, D[n]): shows the tree of old_size leaves is a prefix of this one."""
    size = len(leaf_hashes)
    if not 0 <= old_size <= size:
        raise ValueError(f"a tree of {size} leaves has no earlier size {old_size}")
    if old_size in (0, size):
        return []
    path: list[bytes] = []
    start, end, m, whole = 0, size, old_size, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            path.append(_subtree(leaf_hashes, start + k, end))
            end = start + k
        else:
            path.append(_subtree(leaf_hashes, start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        path.append(_subtree(leaf_hashes, start, end))
    path.reverse()
    return path


Node = tuple[int, int]
"""A perfect subtree as (level, position): the 2**level leaves from position * 2**level on."""


def perfect_subtrees(start: int, end: int) -> list[Node]:
    """The perfect subtrees that make up the leaves [start, end), largest first.

    For every range the RFC's PATH names (start aligned to a power of two at least as large
    as the range), folding their hashes right to left (`fold`) gives the range's hash.
    """
    nodes: list[Node] = []
    while start < end:
        level = (end - start).bit_length() - 1
        while start & ((1 << level) - 1):
            level -= 1
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """The hash of a range from its perfect subtrees' hashes, largest (leftmost) first."""
    node = hashes[-1]
    for left in reversed(hashes[:-1]):
        node = node_hash(left, node)
    return node


def inclusion_plan(index: int, size: int) -> list[list[Node]]:
    """Which perfect subtrees make each hash of PATH(index, D[size]), from the leaf upwards.

    Every sibling but one is a perfect subtree; the one on the tree's right edge is at most
    log2(size) of them, so a proof needs O(log n) stored nodes.
    """
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    plan: list[list[Node]] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            plan.append(perfect_subtrees(start + k, end))
            end = start + k
        else:
            plan.append(perfect_subtrees(start, start + k))
            start += k
    plan.reverse()
    return plan


def _shift_while_even(fn: int, sn: int) -> tuple[int, int]:
    while fn and not fn & 1:
        fn, sn = fn >> 1, sn >> 1
    return fn, sn


def root_from_inclusion_proof(
    index: int, size: int, entry_hash: bytes, proof: Sequence[bytes]
) -> bytes | None:
    """RFC 9162 2.1.3.2: the root the proof leads to, or None when the proof cannot fit."""
    if not 0 <= index < size or any(len(p) != HASH_SIZE for p in proof):
        return None
    fn, sn, r = index, size - 1, entry_hash
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            fn, sn = _shift_while_even(fn, sn)
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def verify_inclusion(
    index: int, size: int, entry_hash: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    return root_from_inclusion_proof(index, size, entry_hash, proof) == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 2.1.4.2: is the tree (old_size, old_root) a prefix of (new_size, new_root)?"""
    if not 0 <= old_size <= new_size or any(len(p) != HASH_SIZE for p in proof):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            fn, sn = _shift_while_even(fn, sn)
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root


class TreeBuilder:
    """Grows a tree one leaf at a time and gives its root at every size in O(log n).

    It keeps only the roots of the perfect subtrees the leaves so far fall into (a "compact
    range"), largest first, which is all the RFC's split rule needs.
    """

    def __init__(self) -> None:
        self._peaks: list[tuple[int, bytes]] = []  # (leaves under it, hash)
        self.size = 0

    @classmethod
    def resume(cls, size: int, peaks: bytes) -> "TreeBuilder":
        """The tree of `size` leaves from its stored peaks (`peaks()`), ready to grow."""
        counts = [1 << bit for bit in reversed(range(size.bit_length())) if size >> bit & 1]
        if len(peaks) != HASH_SIZE * len(counts):
            raise ValueError(f"a tree of {size} leaves has {len(counts)} peaks")
        tree = cls()
        tree.size = size
        tree._peaks = [
            (count, peaks[i * HASH_SIZE : (i + 1) * HASH_SIZE]) for i, count in enumerate(counts)
        ]
        return tree

    def peaks(self) -> bytes:
        """The roots of the perfect subtrees, largest first: all that is needed to grow on."""
        return b"".join(node for _, node in self._peaks)

    def append(self, entry_hash: bytes) -> list[tuple[int, int, bytes]]:
        """Adds a leaf; the perfect subtrees it completes as (level, position, hash)."""
        count, node = 1, entry_hash
        completed = []
        while self._peaks and self._peaks[-1][0] == count:
            left_count, left = self._peaks.pop()
            count, node = left_count + count, node_hash(left, node)
            level = count.bit_length() - 1
            completed.append((level, (self.size + 1 - count) >> level, node))
        self._peaks.append((count, node))
        self.size += 1
        return completed

    def root(self) -> bytes:
        if not self._peaks:
            return EMPTY_ROOT
        node = self._peaks[-1][1]
        for _, left in reversed(self._peaks[:-1]):
            node = node_hash(left, node)
        return node
