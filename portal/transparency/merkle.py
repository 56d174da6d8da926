"""The decision log as a Merkle tree, exactly as Certificate Transparency keeps its logs (RFC 9162, section 2.1).

Pure functions over a list of leaves (bytes); nothing here reads the database. A leaf is hashed as
SHA-256(0x00 || leaf) and a node as SHA-256(0x01 || left || right); the tree of n leaves splits at k, the
largest power of two below n (RFC 9162 2.1.1). The decision log's leaves are its entries' ``entry_hash``
values as 32 bytes, in position order (``portal.transparency.checkpoints``).

``Tree`` hashes every leaf once and keeps the hash of every complete, aligned subtree, so a root, an
inclusion proof or a consistency proof for any size up to n costs a few dozen hashes after an O(n) build:
100,000 entries take one pass, never n passes. The module-level functions are the RFC's names for one-off use.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()  # the root of a tree with no leaves (RFC 9162 2.1.1)


def leaf_hash(leaf: bytes) -> bytes:
    """SHA-256(0x00 || leaf)."""
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


class Tree:
    """A Merkle tree over leaves, with every complete aligned subtree's hash kept for fast roots and proofs."""

    def __init__(self, leaves: Sequence[bytes] = ()) -> None:
        """Hash the leaves (once each) and every complete subtree above them, a level at a time."""
        sha256 = hashlib.sha256
        row = [sha256(b"\x00" + leaf).digest() for leaf in leaves]
        self.levels: list[list[bytes]] = [row]
        while len(row) > 1:
            row = [sha256(b"\x01" + row[i] + row[i + 1]).digest() for i in range(0, len(row) - 1, 2)]
            self.levels.append(row)

    @property
    def size(self) -> int:
        """How many leaves the tree holds."""
        return len(self.levels[0])

    def extend(self, leaves: Sequence[bytes]) -> None:
        """Append leaves, hashing only what is new."""
        for leaf in leaves:
            self.append_hash(leaf_hash(leaf))

    def append_hash(self, hashed: bytes) -> None:
        """Append one leaf given as its leaf hash, completing any subtrees it closes."""
        level = 0
        self.levels[0].append(hashed)
        while len(self.levels[level]) % 2 == 0:
            if len(self.levels) == level + 1:
                self.levels.append([])
            row = self.levels[level]
            self.levels[level + 1].append(node_hash(row[-2], row[-1]))
            level += 1

    def subtree(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) for 0 <= start < end <= size (RFC 9162 2.1.1)."""
        n = end - start
        if n & (n - 1) == 0 and start % n == 0:  # a complete, aligned subtree: kept
            return self.levels[n.bit_length() - 1][start // n]
        k = _split(n)
        return node_hash(self.subtree(start, start + k), self.subtree(start + k, end))

    def root(self, size: int | None = None) -> bytes:
        """The root of the first ``size`` leaves (all of them by default)."""
        size = self.size if size is None else size
        if not 0 <= size <= self.size:
            raise ValueError(f"The tree has {self.size} leaves, not {size}")
        return EMPTY_ROOT if size == 0 else self.subtree(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[0:size]): the audit path for one leaf (RFC 9162 2.1.3.1)."""
        size = self.size if size is None else size
        if not 0 <= index < size <= self.size:
            raise ValueError(f"No leaf {index} in a tree of {size}")
        path: list[bytes] = []
        start, end = 0, size
        while end - start > 1:  # walk down from the root; the RFC lists siblings from the leaf up
            k = _split(end - start)
            if index < start + k:
                path.append(self.subtree(start + k, end))
                end = start + k
            else:
                path.append(self.subtree(start, start + k))
                start += k
        return path[::-1]

    def consistency_proof(self, old_size: int, size: int | None = None) -> list[bytes]:
        """PROOF(old_size, D[0:size]): proves the first old_size leaves are a prefix (RFC 9162 2.1.4.1)."""
        size = self.size if size is None else size
        if not 0 <= old_size <= size <= self.size:
            raise ValueError(f"No consistency proof from {old_size} to {size} in a tree of {self.size}")
        if old_size == 0 or old_size == size:
            return []
        path: list[bytes] = []
        start, end, m, complete = 0, size, old_size, True
        while m != end - start:  # SUBPROOF(m, D[start:end], complete), siblings gathered top-down
            k = _split(end - start)
            if m <= k:
                path.append(self.subtree(start + k, end))
                end = start + k
            else:
                path.append(self.subtree(start, start + k))
                start, m, complete = start + k, m - k, False
        if not complete:
            path.append(self.subtree(start, end))
        return path[::-1]


# The RFC's operations on a list of leaves ---------------------------------------------------------


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]): the Merkle tree hash of the leaves."""
    return Tree(leaves).root()


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """The audit path proving leaf ``index`` (from 0) is in the tree of these leaves."""
    return Tree(leaves).inclusion_proof(index)


def consistency_proof(old_size: int, leaves: Sequence[bytes]) -> list[bytes]:
    """The proof that the tree of the first ``old_size`` leaves is a prefix of the tree of them all."""
    return Tree(leaves).consistency_proof(old_size)


def verify_inclusion(*, index: int, size: int, leaf: bytes, proof: Sequence[bytes], root_hash: bytes) -> bool:
    """True when ``proof`` shows ``leaf`` (the leaf itself, not its hash) at ``index`` in the tree ``root_hash``.

    RFC 9162 2.1.3.2, step by step.
    """
    if index >= size or index < 0:
        return False
    fn, sn = index, size - 1
    r = leaf_hash(leaf)
    for p in proof:
        if len(p) != 32 or sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root_hash


def verify_consistency(*, old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """True when ``proof`` shows the tree ``old_root`` of old_size leaves is a prefix of ``new_root``'s tree.

    RFC 9162 2.1.4.2, step by step; a tree of the same size must have the same root and an empty proof, and
    an empty tree is a prefix of every tree.
    """
    if old_size < 0 or old_size > new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    if not proof or any(len(p) != 32 for p in proof):
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # an exact power of two: the old root is a node of the new tree
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
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root
