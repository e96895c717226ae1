"""Text normalisation and the TF-IDF feature pipeline used by :mod:`careloop.text.themes`.

Features are the horizontal concatenation of

* word uni/bi-gram TF-IDF (``sublinear_tf``), and
* character n-gram TF-IDF inside word boundaries (``char_wb`` 2-5 by default), which
  copes with typos and inflections without a tokenizer.

With ``FeatureConfig.gloss`` (default on) the word block also reads the English gloss of the
Spanish and Italian care words of the text (:func:`careloop.text.language.english_gloss`), so
models trained on English comments say something useful about Spanish and Italian ones.

Each block is L2-normalised separately and then weighted, so neither block dominates.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from careloop.text.language import english_gloss, text_supported

#: Longer texts are cut to this many characters before featurisation (documented truncation).
MAX_CHARS = 100_000


def normalise_text(text: object) -> str | None:
    """Return the text ready for featurisation, or ``None`` when there is nothing to classify.

    ``None`` is returned for non-strings, empty/whitespace-only text, text without any
    letter (emoji-, punctuation- or digit-only) and text that
    :func:`careloop.text.language.text_supported` refuses (a non-Latin script such as Chinese
    or Arabic, or clearly French/German/Portuguese); callers map it to "no suggestion".
    Text longer than :data:`MAX_CHARS` is truncated to its first :data:`MAX_CHARS` characters.
    """
    if not isinstance(text, str):
        return None
    text = unicodedata.normalize("NFKC", text[: MAX_CHARS * 2])[:MAX_CHARS].strip()
    if not text_supported(text)[0]:
        return None
    return text


@dataclass(frozen=True)
class FeatureConfig:
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    min_df: int = 2
    max_df: float = 1.0
    word_max_features: int | None = None
    char_max_features: int | None = 150_000
    word_weight: float = 1.0
    char_weight: float = 1.0
    use_chars: bool = True
    gloss: bool = True


class TextFeatures:
    """Fitted word + character TF-IDF vectorisers producing a float32 CSR matrix."""

    def __init__(self, config: FeatureConfig | None = None) -> None:
        self.config = config or FeatureConfig()
        cfg = self.config
        self._word: Any = TfidfVectorizer(
            analyzer="word",
            ngram_range=cfg.word_ngrams,
            lowercase=True,
            strip_accents="unicode",
            sublinear_tf=True,
            min_df=cfg.min_df,
            max_df=cfg.max_df,
            max_features=cfg.word_max_features,
            token_pattern=r"(?u)\b\w+\b",  # noqa: S106 - a regex, not a password
            dtype=np.float32,
        )
        self._char: Any = (
            TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=cfg.char_ngrams,
                lowercase=True,
                strip_accents="unicode",
                sublinear_tf=True,
                min_df=cfg.min_df,
                max_df=cfg.max_df,
                max_features=cfg.char_max_features,
                dtype=np.float32,
            )
            if cfg.use_chars
            else None
        )
        self.n_features = 0

    def _word_input(self, texts: Sequence[str]) -> Sequence[str]:
        # Models pickled before the gloss existed have no such field: they keep reading text only.
        if not getattr(self.config, "gloss", False):
            return texts
        return [f"{text} {english_gloss(text)}" for text in texts]

    def fit(self, texts: Sequence[str]) -> TextFeatures:
        if not texts:
            raise ValueError("cannot fit features on zero texts")
        self._word.fit(self._word_input(texts))
        size = len(self._word.vocabulary_)
        if self._char is not None:
            self._char.fit(texts)
            size += len(self._char.vocabulary_)
        self.n_features = size
        # The stop-word list kept by sklearn duplicates every pruned n-gram; drop it.
        for vec in (self._word, self._char):
            if vec is not None and hasattr(vec, "stop_words_"):
                vec.stop_words_ = None
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        blocks = [
            self._word.transform(self._word_input(texts)) * np.float32(self.config.word_weight)
        ]
        if self._char is not None:
            blocks.append(self._char.transform(texts) * np.float32(self.config.char_weight))
        matrix: sp.csr_matrix = sp.hstack(blocks, format="csr", dtype=np.float32)
        return matrix
