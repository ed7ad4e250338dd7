"""all-MiniLM-L6-v2 sentence embeddings in numpy: BERT's uncased WordPiece,
six transformer layers, mean pooling, unit length. The weights are the
upstream safetensors file (checked by its SHA-256), read as plain data; no
model code runs from the package they ship in (scripts/setup.sh)."""

from __future__ import annotations

import hashlib
import json
import struct
import unicodedata
from collections import OrderedDict
from pathlib import Path

import numpy as np
from scipy.special import erf

from troubleshooter.paths import BUILD

MODEL_DIR = BUILD / "minilm"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MAX_TOKENS = 128
CACHE_SIZE = 4096  # texts whose embedding is kept: short replies ("no", "not sure") come again and again
_HEADS, _HIDDEN = 12, 384


class ModelMissing(RuntimeError):
    pass


class WordPiece:
    """BERT's uncased tokenizer: lower case, accents stripped, punctuation split, greedy WordPiece."""

    def __init__(self, vocab: Path):
        self.vocab = {w.rstrip("\n"): i for i, w in enumerate(vocab.open(encoding="utf-8"))}
        self.unk, self.cls, self.sep = self.vocab["[UNK]"], self.vocab["[CLS]"], self.vocab["[SEP]"]

    @staticmethod
    def words(text: str) -> list[str]:
        text = "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")
        out, word = [], ""
        for ch in text:
            if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") or ch == "\ufffd":
                out, word = out + [word] * bool(word), ""
            elif _punctuation(ch) or _cjk(ord(ch)):
                out, word = out + [word] * bool(word) + [ch], ""
            else:
                word += ch
        return out + [word] * bool(word)

    def ids(self, text: str) -> list[int]:
        out = [self.cls]
        for word in self.words(text):
            out += self._pieces(word)
        return out[: MAX_TOKENS - 1] + [self.sep]

    def _pieces(self, word: str) -> list[int]:
        if len(word) > 100:
            return [self.unk]
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start and (word[start:end] if start == 0 else "##" + word[start:end]) not in self.vocab:
                end -= 1
            if end == start:
                return [self.unk]
            pieces.append(self.vocab[word[start:end] if start == 0 else "##" + word[start:end]])
            start = end
        return pieces


def _punctuation(ch: str) -> bool:
    cp = ord(ch)
    return (
        33 <= cp <= 47
        or 58 <= cp <= 64
        or 91 <= cp <= 96
        or 123 <= cp <= 126
        or unicodedata.category(ch).startswith("P")
    )


def _cjk(cp: int) -> bool:
    return any(
        lo <= cp <= hi
        for lo, hi in (
            (0x4E00, 0x9FFF),
            (0x3400, 0x4DBF),
            (0x20000, 0x2A6DF),
            (0x2A700, 0x2B73F),
            (0x2B740, 0x2B81F),
            (0x2B820, 0x2CEAF),
            (0xF900, 0xFAFF),
            (0x2F800, 0x2FA1F),
        )
    )


def read_safetensors(path: Path, raw: bytes | None = None) -> dict[str, np.ndarray]:
    raw = path.read_bytes() if raw is None else raw
    size = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + size])
    body = memoryview(raw)[8 + size :]
    kinds = {"F32": np.float32, "I64": np.int64}
    return {
        name: np.frombuffer(body[s:e], dtype=kinds[spec["dtype"]]).reshape(spec["shape"])
        for name, spec in header.items()
        if name != "__metadata__"
        for s, e in [spec["data_offsets"]]
    }


def _norm(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * w + b


class MiniLM:
    def __init__(self, folder: Path = MODEL_DIR):
        weights = folder / "model.safetensors"
        if not weights.is_file() or not (folder / "vocab.txt").is_file():
            raise ModelMissing(f"the sentence encoder is missing from {folder}: run `make setup`")
        raw = weights.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if digest != WEIGHTS_SHA256:
            raise ModelMissing(f"{weights} is not the expected all-MiniLM-L6-v2 file (sha256 {digest})")
        self.tokenizer = WordPiece(folder / "vocab.txt")
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()  # text -> embedding, least recent first
        w = read_safetensors(weights, raw)
        self.word, self.position = w["embeddings.word_embeddings.weight"], w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.embed_norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = []
        for i in range(6):
            g = lambda name, i=i: w[f"encoder.layer.{i}.{name}"]
            qkv = np.concatenate([g(f"attention.self.{k}.weight") for k in ("query", "key", "value")]).T.copy()
            qkv_b = np.concatenate([g(f"attention.self.{k}.bias") for k in ("query", "key", "value")])
            self.layers.append(
                (
                    qkv,
                    qkv_b,
                    g("attention.output.dense.weight").T.copy(),
                    g("attention.output.dense.bias"),
                    g("attention.output.LayerNorm.weight"),
                    g("attention.output.LayerNorm.bias"),
                    g("intermediate.dense.weight").T.copy(),
                    g("intermediate.dense.bias"),
                    g("output.dense.weight").T.copy(),
                    g("output.dense.bias"),
                    g("output.LayerNorm.weight"),
                    g("output.LayerNorm.bias"),
                )
            )

    def embed(self, texts: list[str], batch: int = 32) -> np.ndarray:
        """Unit-length sentence embeddings, one row per text (similar lengths batched together). The
        last CACHE_SIZE texts' embeddings are kept: a forward pass reads every weight (~40 MB), so a
        text seen again costs nothing."""
        out = np.zeros((len(texts), _HIDDEN), dtype=np.float32)
        new: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            if text in self._cache:
                self._cache.move_to_end(text)
                out[i] = self._cache[text]
            else:
                new.setdefault(text, []).append(i)
        fresh = list(new)
        seqs = [self.tokenizer.ids(t) for t in fresh]
        order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            for k, e in zip(rows, self._forward([seqs[i] for i in rows])):
                out[new[fresh[k]]] = e
                self._cache[fresh[k]] = e
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return out

    def _forward(self, seqs: list[list[int]]) -> np.ndarray:
        b, n = len(seqs), max(len(s) for s in seqs)
        ids = np.zeros((b, n), dtype=np.int64)
        mask = np.zeros((b, n), dtype=np.float32)
        for r, s in enumerate(seqs):
            ids[r, : len(s)], mask[r, : len(s)] = s, 1.0
        x = _norm(self.word[ids] + self.position[:n] + self.token_type, *self.embed_norm)
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        d = _HIDDEN // _HEADS
        for qkv, qkv_b, ow, ob, n1w, n1b, iw, ib, o2w, o2b, n2w, n2b in self.layers:
            q, k, v = np.split(x @ qkv + qkv_b, 3, axis=-1)
            q, k, v = (t.reshape(b, n, _HEADS, d).transpose(0, 2, 1, 3) for t in (q, k, v))
            s = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(d)) + bias
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            a = (s @ v).transpose(0, 2, 1, 3).reshape(b, n, _HIDDEN)
            x = _norm(a @ ow + ob + x, n1w, n1b)
            h = x @ iw + ib
            h = 0.5 * h * (1.0 + erf(h / np.float32(np.sqrt(2.0))))
            x = _norm(h @ o2w + o2b + x, n2w, n2b)
        e = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        return (e / np.linalg.norm(e, axis=1, keepdims=True)).astype(np.float32)
