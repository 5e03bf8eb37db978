"""Embeddings through LangChain's OpenAIEmbeddings against the scripted server's
``/v1/embeddings`` (the real openai client, base64 as it asks), never tiktoken."""

from chat_core.knowledge.embeddings import embed_passages, embedder
from chat_core.knowledge.ranking import VectorIndex
from chat_core.settings.settings import Settings
from tests.support.embeddings import DIMENSIONS, embed


def test_no_embedding_model_means_full_text_alone():
    assert embedder(Settings()) is None


def test_passages_are_embedded_in_batches_and_the_nearest_is_the_relevant_one(model_server):
    settings = Settings(base_url=model_server.base_url, api_key="test-key",
                        embedding_model="scripted-embed")  # fmt: skip
    model = embedder(settings)
    passages = [f"Passage {n} is about topic {n}." for n in range(100)]
    passages[42] = "Rokurinsha serves tsukemen near Tokyo Station from 7:30."
    vectors = embed_passages(model, passages)
    assert len(vectors) == 100 and len(vectors[0]) == DIMENSIONS
    calls = [r for r in model_server.requests if r.path.endswith("/embeddings")]
    assert len(calls) == 2  # 64 + 36
    question = model.embed_query("When does Rokurinsha open near Tokyo Station?")
    assert VectorIndex(vectors).top(question, 1)[0][0] == 42
    assert VectorIndex([embed("東京駅のラーメン"), embed("京都の寺")]).top(
        embed("東京駅でラーメン"), 1)[0][0] == 0  # fmt: skip
