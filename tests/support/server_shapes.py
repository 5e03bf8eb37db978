"""The streaming shapes of the real OpenAI-compatible servers, replayed by the scripted server.

Each function builds the exact SSE body one server sends for the same thinking answer,
written from the server's documentation and source (field order, nulls, extra fields,
comment lines, the end of the stream), and says what a client must get from it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.support.scripted_server import Reply, tokenize

__all__ = ["ANSWER", "SHAPES", "THINKING", "Shape"]

THINKING = "The user greets me in Japanese, so I answer in Japanese: 「こんにちは」 & a < b."
ANSWER = "こんにちは！ How can I help? In code, `<think>` is just text: `a < b`."
CREATED = 1767225600


@dataclass(frozen=True)
class Shape:
    """One server's stream, and what a client must make of it."""

    name: str
    chunks: list[bytes]  # the SSE body, one network write per item
    model: str  # the model name the server returns
    thinking: str = THINKING
    answer: str = ANSWER
    finish_reason: str = "stop"
    input_tokens: int | None = None  # None: the server reports no usage
    output_tokens: int | None = None
    reasoning_tokens: int | None = None  # None: not reported
    inline_think: bool = False  # the thinking is in the content, in <think> tags
    send_done: bool = True
    extra: dict[str, Any] = field(default_factory=dict)  # shape-specific facts to assert

    def reply(self, *, every: int | None = None) -> Reply:
        """The scripted reply; ``every`` cuts the body into that many bytes (inside UTF-8)."""
        chunks = self.chunks
        if every is not None:
            body = b"".join(chunks)
            chunks = [body[i : i + every] for i in range(0, len(body), every)]
        return Reply(raw_chunks=list(chunks), send_done=self.send_done)


def _event(payload: dict[str, Any], *, go: bool = False, sort: bool = False) -> bytes:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=sort)
    if go:  # Go's encoding/json escapes HTML characters inside strings
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return b"data: " + text.encode() + b"\n\n"


def _inline(thinking: str = THINKING, answer: str = ANSWER) -> list[str]:
    """Content pieces of a model that thinks inline (``<think>`` is one token)."""
    return ["<think>", "\n", *tokenize(thinking), "\n", "</think>", "\n\n", *tokenize(answer)]


def _counts(reported: bool, inputs: int, outputs: int, reasoning: int | None = None) -> dict:
    """The usage a client must find: the server's numbers, when it sent them."""
    if not reported:
        return {}
    return {"input_tokens": inputs, "output_tokens": outputs, "reasoning_tokens": reasoning}


def _usage(prompt: int, completion: int, **details: Any) -> dict[str, Any]:
    counts = {"prompt_tokens": prompt, "completion_tokens": completion}
    return counts | {"total_tokens": prompt + completion, **details}


def _base(chunk_id: str, model: str, **more: Any) -> dict[str, Any]:
    base = {"id": chunk_id, "object": "chat.completion.chunk", "created": CREATED}
    return base | {"model": model, **more}


def _choice(delta: dict[str, Any], finish: str | None = None, **more: Any) -> dict[str, Any]:
    """One choice as OpenAI orders it (vLLM, LM Studio and DeepSeek copy it)."""
    return {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish, **more}


def openai(*, include_usage: bool = True) -> Shape:
    """OpenAI: role-only first chunk, ``usage: null`` on every chunk, an empty-``choices``
    usage chunk; chat completions stream no reasoning, but count its tokens."""
    base = _base("chatcmpl-Cshape", "gpt-5-mini-2025-08-07")
    base |= {"service_tier": "default", "system_fingerprint": None}
    null = {"usage": None} if include_usage else {}

    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        return _event({**base, "choices": [_choice(delta, finish)], **null, "obfuscation": "kX"})

    details = {"reasoning_tokens": 192, "audio_tokens": 0}
    details |= {"accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
    usage = _usage(21, 214, prompt_tokens_details={"cached_tokens": 0, "audio_tokens": 0})
    usage["completion_tokens_details"] = details
    chunks = [chunk({"role": "assistant", "content": "", "refusal": None})]
    chunks += [chunk({"content": piece}) for piece in tokenize(ANSWER)]
    chunks.append(chunk({}, "stop"))
    if include_usage:
        chunks.append(_event({**base, "choices": [], "usage": usage, "obfuscation": "Qe"}))
    counts = _counts(include_usage, 21, 214, 192)
    return Shape("openai", chunks, base["model"], thinking="", **counts)


_SAFE = {"filtered": False, "severity": "safe"}
_FILTERS = {"hate": _SAFE, "self_harm": _SAFE, "sexual": _SAFE, "violence": _SAFE}


def azure_openai(*, include_usage: bool = True) -> Shape:
    """Azure OpenAI: first an empty-``choices`` chunk with ``prompt_filter_results`` (no
    model, ``created`` 0), then content in filtered batches with ``content_filter_results``."""
    model = "gpt-4o-2024-11-20"
    base = {"created": CREATED, "id": "chatcmpl-Azshape", "model": model}
    base |= {"object": "chat.completion.chunk", "system_fingerprint": "fp_ee1d74bde0"}

    def chunk(delta: dict[str, Any], filters: dict[str, Any], finish: str | None = None) -> bytes:
        choice = {"content_filter_results": filters, "delta": delta, "finish_reason": finish}
        return _event({"choices": [choice | {"index": 0, "logprobs": None}], **base}, sort=True)

    jailbreak = {"jailbreak": {"filtered": False, "detected": False}}
    prompt_filter = {"prompt_index": 0, "content_filter_results": _FILTERS | jailbreak}
    first = {"choices": [], "created": 0, "id": "", "model": "", "object": ""}
    pieces = tokenize(ANSWER)
    batches = ["".join(pieces[i : i + 4]) for i in range(0, len(pieces), 4)]
    chunks = [_event({**first, "prompt_filter_results": [prompt_filter]}, sort=True)]
    chunks.append(chunk({"content": "", "refusal": None, "role": "assistant"}, {}))
    chunks += [chunk({"content": batch}, _FILTERS) for batch in batches]
    chunks.append(chunk({}, {}, "stop"))
    details = {"accepted_prediction_tokens": 0, "audio_tokens": 0, "reasoning_tokens": 0}
    usage = _usage(19, 22, completion_tokens_details=details | {"rejected_prediction_tokens": 0})
    usage["prompt_tokens_details"] = {"audio_tokens": 0, "cached_tokens": 0}
    if include_usage:
        chunks.append(_event({"choices": [], **base, "usage": usage}, sort=True))
    return Shape("azure_openai", chunks, model, thinking="", **_counts(include_usage, 19, 22, 0))


def ollama(*, include_usage: bool = True) -> Shape:
    """Ollama's /v1: every delta repeats the role and ``content`` (``""`` while thinking),
    thinking in ``reasoning``; Go escapes ``<``/``>``/``&``; usage without details."""
    model = "qwen3:8b"
    base = _base("chatcmpl-417", model, system_fingerprint="fp_ollama")

    def chunk(content: str, reasoning: str = "", finish: str | None = None) -> bytes:
        delta = {"role": "assistant", "content": content}
        if reasoning:  # omitempty
            delta["reasoning"] = reasoning
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return _event({**base, "choices": [choice]}, go=True)

    chunks = [chunk("", piece) for piece in tokenize(THINKING)]
    chunks += [chunk(piece) for piece in tokenize(ANSWER)]
    chunks.append(chunk("", finish="stop"))
    if include_usage:
        chunks.append(_event({**base, "choices": [], "usage": _usage(18, 61)}, go=True))
    return Shape("ollama", chunks, model, **_counts(include_usage, 18, 61))


def vllm(*, key: str = "reasoning_content", include_usage: bool = True) -> Shape:
    """vLLM with a reasoning parser: role chunk, then deltas holding only what is set
    (``reasoning_content``; ``reasoning`` in newer releases), ``stop_reason`` at the end."""
    base = _base("chatcmpl-9f2c", "Qwen/Qwen3-8B")
    chunks = [_event({**base, "choices": [_choice({"role": "assistant", "content": ""})]})]
    chunks += [_event({**base, "choices": [_choice({key: p})]}) for p in tokenize(THINKING)]
    chunks += [_event({**base, "choices": [_choice({"content": p})]}) for p in tokenize(ANSWER)]
    end = _choice({"content": ""}, "stop", stop_reason=None)
    chunks.append(_event({**base, "choices": [end]}))
    usage = {"prompt_tokens": 16, "total_tokens": 80, "completion_tokens": 64}
    if include_usage:
        usage["prompt_tokens_details"] = None
        chunks.append(_event({**base, "choices": [], "usage": usage}))
    return Shape(f"vllm_{key}", chunks, base["model"], **_counts(include_usage, 16, 64))


def lm_studio(*, include_usage: bool = True) -> Shape:
    """LM Studio with "separate reasoning_content" on: the role repeated in each delta,
    thinking in ``reasoning_content``, an empty delta to finish."""
    base = _base("chatcmpl-lms", "deepseek-r1-distill-qwen-7b")
    base["system_fingerprint"] = base["model"]
    deltas = [{"role": "assistant", "reasoning_content": p} for p in tokenize(THINKING)]
    deltas += [{"role": "assistant", "content": p} for p in tokenize(ANSWER)]
    chunks = [_event({**base, "choices": [_choice(delta)]}) for delta in deltas]
    chunks.append(_event({**base, "choices": [_choice({}, "stop")]}))
    if include_usage:
        chunks.append(_event({**base, "choices": [], "usage": _usage(14, 70)}))
    return Shape("lm_studio", chunks, base["model"], **_counts(include_usage, 14, 70))


def llama_cpp(*, include_usage: bool = True) -> Shape:
    """llama.cpp's llama-server (``--reasoning-format none``): ``<think>`` inline in the
    content, keys sorted, ``timings`` on the last chunk."""
    model = "Qwen3-8B-Q4_K_M.gguf"
    base = _base("chatcmpl-lcpp", model, system_fingerprint="b6502-8ff2060")  # keys get sorted

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**base, "choices": [{"delta": delta, "finish_reason": finish, "index": 0}]}

    payloads = [chunk({"role": "assistant", "content": None})]
    payloads += [chunk({"content": piece}) for piece in _inline()]
    payloads.append(chunk({}, "stop"))
    if include_usage:
        payloads.append({**base, "choices": [], "usage": _usage(22, 75)})
    payloads[-1]["timings"] = {"cache_n": 0, "prompt_n": 22, "prompt_ms": 41.3} | {
        "prompt_per_token_ms": 1.88, "prompt_per_second": 532.7, "predicted_n": 75,
        "predicted_ms": 1411.9, "predicted_per_token_ms": 18.83, "predicted_per_second": 53.1,
    }  # fmt: skip
    chunks = [_event(payload, sort=True) for payload in payloads]
    counts = _counts(include_usage, 22, 75)
    return Shape("llama_cpp", chunks, model, inline_think=True, **counts)


def deepseek(*, separate_usage: bool = False) -> Shape:
    """DeepSeek's API: ``: keep-alive`` comments while queued, ``reasoning_content`` and
    ``content`` both present (one null), usage with cache hits and reasoning tokens on the
    finish chunk (``separate_usage``: in an empty-``choices`` chunk, as its docs describe)."""
    base = _base("d5e1f6a0", "deepseek-reasoner")
    base["system_fingerprint"] = "fp_ffc7281d48_prod0820_fp8_kvcache"
    usage = _usage(77, 310, prompt_tokens_details={"cached_tokens": 64})
    usage |= {"completion_tokens_details": {"reasoning_tokens": 262}}
    usage |= {"prompt_cache_hit_tokens": 64, "prompt_cache_miss_tokens": 13}
    null = {"usage": None} if separate_usage else {}
    deltas = [{"role": "assistant", "content": None, "reasoning_content": ""}]
    deltas += [{"content": None, "reasoning_content": p} for p in tokenize(THINKING)]
    deltas += [{"content": p, "reasoning_content": None} for p in tokenize(ANSWER)]
    chunks = [b": keep-alive\n\n", b": keep-alive\n\n"]
    chunks += [_event({**base, "choices": [_choice(delta)], **null}) for delta in deltas]
    end = _choice({"content": "", "reasoning_content": None}, "stop")
    chunks.append(_event({**base, "choices": [end], **(null or {"usage": usage})}))
    if separate_usage:
        chunks.append(_event({**base, "choices": [], "usage": usage}))
    name, counts = "deepseek" + "_separate_usage" * separate_usage, _counts(True, 77, 310, 262)
    return Shape(name, chunks, base["model"], extra={"cache_read": 64}, **counts)


def openrouter(*, include_usage: bool = True) -> Shape:
    """OpenRouter: ``: OPENROUTER PROCESSING`` comments before and between events,
    ``reasoning`` plus ``reasoning_details``, ``native_finish_reason``, usage with cost."""
    model = "qwen/qwen3-235b-a22b-thinking-2507"
    base = _base("gen-1767225600-Shape", model, provider="DeepInfra")
    comment = b": OPENROUTER PROCESSING\n\n"

    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        choice = {"index": 0, "delta": {"role": "assistant", "content": "", **delta}}
        choice |= {"finish_reason": finish, "native_finish_reason": finish, "logprobs": None}
        return _event({**base, "choices": [choice]})

    def thought(text: str) -> bytes:
        detail = {"type": "reasoning.text", "text": text, "format": "unknown", "index": 0}
        return chunk({"reasoning": text, "reasoning_details": [detail]})

    chunks = [comment, comment, chunk({})]
    for index, piece in enumerate(tokenize(THINKING)):
        chunks += [thought(piece), *([comment] if index % 5 == 4 else [])]
    chunks += [chunk({"content": piece, "reasoning": None}) for piece in tokenize(ANSWER)]
    chunks.append(chunk({}, "stop"))
    usage = _usage(24, 268, cost=0.00061, is_byok=False)
    usage |= {"prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0}}
    usage |= {"cost_details": {"upstream_inference_cost": None}}
    usage |= {"completion_tokens_details": {"reasoning_tokens": 231, "image_tokens": 0}}
    if include_usage:
        chunks.append(_event({**base, "choices": [], "usage": usage}))
    return Shape("openrouter", chunks, model, **_counts(include_usage, 24, 268, 231))


def transformers_serve(model: str = "Qwen/Qwen3-0.6B") -> Shape:
    """Hugging Face ``transformers serve``: pydantic dumps without nulls (no
    ``finish_reason`` until the end), ``<think>`` inline, usage on the finish chunk
    whether asked or not, the model named ``<id>@main``, and no ``data: [DONE]``."""
    name = model if "@" in model else f"{model}@main"

    def chunk(delta: dict[str, Any], finish: str | None = None, **usage: Any) -> bytes:
        ending = {"finish_reason": finish} if finish else {}  # exclude_none drops nulls
        payload = {"id": "req_0", "choices": [{"delta": delta, **ending, "index": 0}]}
        payload |= {"created": CREATED, "model": name, "object": "chat.completion.chunk"}
        return _event({**payload, "system_fingerprint": "", **usage})

    chunks = [chunk({"role": "assistant"})]
    chunks += [chunk({"content": piece}) for piece in _inline()]
    chunks.append(chunk({}, "stop", usage=_usage(20, 73)))
    counts = _counts(True, 20, 73)
    return Shape("transformers_serve", chunks, name, inline_think=True, send_done=False, **counts)


SHAPES: dict[str, Callable[[], Shape]] = {
    "openai": openai,
    "azure_openai": azure_openai,
    "ollama": ollama,
    "vllm_reasoning_content": vllm,
    "vllm_reasoning": lambda: vllm(key="reasoning"),
    "lm_studio": lm_studio,
    "llama_cpp": llama_cpp,
    "deepseek": deepseek,
    "deepseek_separate_usage": lambda: deepseek(separate_usage=True),
    "openrouter": openrouter,
    "transformers_serve": transformers_serve,
}
