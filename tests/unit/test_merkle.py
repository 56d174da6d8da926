"""The decision log's Merkle tree (RFC 9162): known answers from Certificate Transparency, and properties.

The leaves, roots and proofs below are the test vectors Certificate Transparency's implementations share
(RFC 6962's reference code; transparency-dev/merkle's proof/verify_test.go): the roots of the trees of the
first 1 to 8 of those leaves, and audit and consistency paths in them.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.transparency import merkle

LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                       "606162636465666768696a6b6c6d6e6f")]
ROOTS = [bytes.fromhex(h) for h in (
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
)]


def h(*values: str) -> list[bytes]:
    """Hex strings as bytes."""
    return [bytes.fromhex(value) for value in values]


# (leaf index from 0, tree size, audit path)
INCLUSION = [
    (0, 8, h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
    (5, 8, h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
    (2, 3, h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")),
    (1, 5, h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")),
]
# (old size, new size, consistency path)
CONSISTENCY = [
    (1, 8, h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
    (6, 8, h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
    (2, 5, h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")),
    (6, 7, h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
             "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
]


def test_the_empty_tree_is_the_hash_of_nothing():
    """RFC 9162 2.1.1: MTH({}) = SHA-256()."""
    assert merkle.root([]) == hashlib.sha256(b"").digest()


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_the_known_vectors(size):
    """The root of the first 1 to 8 test leaves is Certificate Transparency's."""
    assert merkle.root(LEAVES[:size]) == ROOTS[size - 1]
    assert merkle.Tree(LEAVES).root(size) == ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_inclusion_proofs_match_the_known_vectors_and_verify(index, size, path):
    """The audit path is the known one, verifies, and fails for the wrong leaf, index, size or root."""
    assert merkle.inclusion_proof(index, LEAVES[:size]) == path
    root = ROOTS[size - 1]
    assert merkle.verify_inclusion(index=index, size=size, leaf=LEAVES[index], proof=path, root_hash=root)
    assert not merkle.verify_inclusion(index=index, size=size, leaf=b"WrongLeaf", proof=path, root_hash=root)
    assert not merkle.verify_inclusion(index=index + 1, size=size, leaf=LEAVES[index], proof=path, root_hash=root)
    assert not merkle.verify_inclusion(index=index, size=size * 2, leaf=LEAVES[index], proof=path, root_hash=root)
    assert not merkle.verify_inclusion(index=index, size=size, leaf=LEAVES[index], proof=path + [root],
                                       root_hash=root)
    assert not merkle.verify_inclusion(index=index, size=size, leaf=LEAVES[index], proof=path,
                                       root_hash=merkle.EMPTY_ROOT)


@pytest.mark.parametrize(("old", "new", "path"), CONSISTENCY)
def test_consistency_proofs_match_the_known_vectors_and_verify(old, new, path):
    """The consistency path is the known one, verifies, and fails for swapped roots, wrong sizes or a short path."""
    assert merkle.consistency_proof(old, LEAVES[:new]) == path
    old_root, new_root = ROOTS[old - 1], ROOTS[new - 1]
    assert merkle.verify_consistency(old_size=old, new_size=new, old_root=old_root, new_root=new_root, proof=path)
    assert not merkle.verify_consistency(old_size=old, new_size=new, old_root=new_root, new_root=old_root,
                                         proof=path)
    assert not merkle.verify_consistency(old_size=old + 1, new_size=new, old_root=old_root, new_root=new_root,
                                         proof=path)
    assert not merkle.verify_consistency(old_size=old, new_size=new, old_root=old_root, new_root=new_root,
                                         proof=path[:-1])
    assert not merkle.verify_consistency(old_size=old, new_size=new, old_root=old_root, new_root=new_root, proof=[])


def test_consistency_edge_cases():
    """Same size: same root and no proof. Empty old tree: always a prefix. A shorter new tree: never."""
    assert merkle.verify_consistency(old_size=3, new_size=3, old_root=ROOTS[2], new_root=ROOTS[2], proof=[])
    assert not merkle.verify_consistency(old_size=3, new_size=3, old_root=ROOTS[2], new_root=ROOTS[3], proof=[])
    assert merkle.verify_consistency(old_size=0, new_size=3, old_root=merkle.EMPTY_ROOT, new_root=ROOTS[2], proof=[])
    assert not merkle.verify_consistency(old_size=4, new_size=3, old_root=ROOTS[3], new_root=ROOTS[2], proof=[])


def _flip(proof: list[bytes], index: int) -> list[bytes]:
    """The proof with one bit of one hash changed."""
    changed = list(proof)
    changed[index] = bytes([changed[index][0] ^ 1]) + changed[index][1:]
    return changed


leaves_strategy = st.lists(st.binary(min_size=0, max_size=8), min_size=1, max_size=70)


@settings(max_examples=60, deadline=None)
@given(leaves=leaves_strategy, data=st.data())
def test_every_inclusion_proof_verifies_and_a_tampered_one_fails(leaves, data):
    """For random trees, every leaf's proof verifies against the root; any flipped bit or wrong leaf fails."""
    tree = merkle.Tree(leaves)
    root = tree.root()
    assert root == _reference_root(leaves)
    index = data.draw(st.integers(0, len(leaves) - 1))
    proof = tree.inclusion_proof(index)
    assert merkle.verify_inclusion(index=index, size=len(leaves), leaf=leaves[index], proof=proof, root_hash=root)
    if proof:
        bad = _flip(proof, data.draw(st.integers(0, len(proof) - 1)))
        assert not merkle.verify_inclusion(index=index, size=len(leaves), leaf=leaves[index], proof=bad,
                                           root_hash=root)
    assert not merkle.verify_inclusion(index=index, size=len(leaves), leaf=leaves[index] + b"x", proof=proof,
                                       root_hash=root)


@settings(max_examples=60, deadline=None)
@given(leaves=leaves_strategy, data=st.data())
def test_every_consistency_proof_verifies_and_a_tampered_one_fails(leaves, data):
    """For random sizes, the older tree is proved a prefix; a flipped bit, or a changed old leaf, fails."""
    tree = merkle.Tree(leaves)
    old = data.draw(st.integers(1, len(leaves)))
    proof = tree.consistency_proof(old)
    assert merkle.verify_consistency(old_size=old, new_size=tree.size, old_root=tree.root(old),
                                     new_root=tree.root(), proof=proof)
    if proof:
        bad = _flip(proof, data.draw(st.integers(0, len(proof) - 1)))
        assert not merkle.verify_consistency(old_size=old, new_size=tree.size, old_root=tree.root(old),
                                             new_root=tree.root(), proof=bad)
        rewritten = list(leaves[:old])
        rewritten[-1] += b"rewritten"
        assert not merkle.verify_consistency(old_size=old, new_size=tree.size, old_root=merkle.root(rewritten),
                                             new_root=tree.root(), proof=proof)


def _reference_root(leaves: list[bytes]) -> bytes:
    """MTH written as the RFC's recursion, to hold the kept-subtree version to."""
    if len(leaves) == 1:
        return merkle.leaf_hash(leaves[0])
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return merkle.node_hash(_reference_root(leaves[:k]), _reference_root(leaves[k:]))


def test_a_hundred_thousand_leaves_are_hashed_once():
    """Building the tree costs about 2n hashes; every proof after that is a few dozen."""
    leaves = [i.to_bytes(32, "big") for i in range(100_000)]
    tree = merkle.Tree(leaves)
    assert len(tree.inclusion_proof(54_321)) == 17
    assert merkle.verify_consistency(old_size=77_777, new_size=100_000, old_root=tree.root(77_777),
                                     new_root=tree.root(), proof=tree.consistency_proof(77_777))
