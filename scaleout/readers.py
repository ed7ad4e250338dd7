"""The learned readers' features on the server without scipy's product by a diagonal matrix
(channels/__init__.py applies it).

nlu/fast.py's `tfidf` scales the counts by the idf through a sparse product with the diagonal idf
matrix. Here each stored count is multiplied by its column's idf, the row's entries laid out as
scipy's product lays them out (in reverse), so the normalisation that follows adds them up in the
same order. (Its `probabilities` keeps each classifier's weights in row order itself.)

The results are the same to the bit (tests/unit/test_reader_arithmetic.py); nlu/ is not changed,
so the trained model and its fingerprint stay as they are.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse
from scipy.sparse._sputils import get_index_dtype

from nlu import fast

_projects_tfidf = fast.tfidf


def _idf(vectoriser: Any) -> tuple[sparse.csr_matrix, np.ndarray | None]:
    """The idf as scipy's diagonal matrix and, when that matrix holds exactly one entry per row, on
    its diagonal, a vector of them (else None: the product is left to scipy)."""
    kept = vectoriser.__dict__.get("_fast_idf_vector")
    if kept is None:
        diag = vectoriser._tfidf._idf_diag.tocsr()
        n = diag.shape[0]
        on_diagonal = (
            diag.shape == (n, n)
            and np.array_equal(diag.indptr, np.arange(n + 1))
            and np.array_equal(diag.indices, np.arange(n))
            and diag.dtype == np.float64
        )
        kept = (diag, diag.data.copy() if on_diagonal else None)
        vectoriser.__dict__["_fast_idf_vector"] = kept
    return kept


def _times_idf(x: sparse.csr_matrix, diag: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """`x @ diag` as scipy's csr_matmat computes it: each row's products (0 + count x idf) in the
    reverse order of the row's entries; a product of 0 (which scipy drops) is left to scipy."""
    indptr, counts = x.indptr, np.diff(x.indptr)
    within = np.arange(len(x.indices)) - np.repeat(indptr[:-1], counts)
    order = np.repeat(indptr[1:], counts) - 1 - within
    indices = x.indices[order]
    data = x.data[order] * idf[indices]
    if not data.all():
        return x @ diag
    idx_dtype = get_index_dtype((x.indptr, x.indices, diag.indptr, diag.indices), maxval=len(data))
    return x.__class__(
        (data, indices.astype(idx_dtype, copy=False), indptr.astype(idx_dtype, copy=False)),
        shape=(x.shape[0], diag.shape[1]),
    )


def tfidf(vectoriser: Any, texts: list[str]) -> sparse.csr_matrix:
    """nlu.fast.tfidf, with the idf applied entry by entry."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.preprocessing import normalize

    if not vectoriser.use_idf:
        return _projects_tfidf(vectoriser, texts)
    diag, idf = _idf(vectoriser)
    x = CountVectorizer.transform(vectoriser, texts).astype(np.float64)
    if vectoriser.sublinear_tf:
        np.log(x.data, x.data)
        x.data += 1
    x = x @ diag if idf is None or not x.has_canonical_format else _times_idf(x, diag, idf)
    return normalize(x, norm=vectoriser.norm, copy=False) if vectoriser.norm else x


def apply() -> None:
    """Replace nlu.fast's tfidf (idempotent)."""
    fast.tfidf = tfidf
