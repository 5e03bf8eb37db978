"""Knowledge: a project's files split into passages, ranked for a question by full text
and by embeddings, the rankings fused."""
