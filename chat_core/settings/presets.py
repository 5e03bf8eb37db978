"""Presets: a named system prompt with its model settings, chosen when a chat starts.

The app ships a few (in Japanese and English); an owner with a saved history keeps
their own. A preset is checked when it is made, so one read back from the database
or typed in a dialog is applied exactly as it was checked.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chat_core.markdown.visitor_text import clean_user_text, one_line
from chat_core.settings.declarations import LIMITS, PRESET_SETTINGS, ValueKind, declaration
from chat_core.settings.settings import Settings, with_overrides

__all__ = [
    "MANAGED",
    "MAX_NAME_CHARS",
    "MAX_OWN_PRESETS",
    "MAX_PROMPT_CHARS",
    "PRESET_SETTINGS",
    "Preset",
    "applied",
    "make_preset",
    "matches",
    "shipped_presets",
]

MAX_NAME_CHARS = 60  # as the presets table's name column
MAX_PROMPT_CHARS = 4_000
MAX_MODEL_CHARS = 200  # a model's name, as the usage log's model column
MAX_OWN_PRESETS = 50  # an owner's own; each is listed on every new chat
# Every setting choosing a preset (or "Default") decides.
MANAGED = ("system_prompt", *PRESET_SETTINGS)
_DEFAULTS = Settings()  # each setting's type is its default's


def _check_setting(name: str, value: Any) -> None:
    """Raise ValueError unless ``value`` is what settings.py would accept for ``name``:
    of the setting's type, and within its :data:`LIMITS`."""
    if name not in PRESET_SETTINGS:
        raise ValueError(f"a preset does not hold {name!r}")
    default = getattr(_DEFAULTS, name)
    if isinstance(default, str) or declaration(name).kind is ValueKind.TEXT:
        if not isinstance(value, str) or value != one_line(value) or not value:
            raise ValueError(f"{name} must be text on one line")
        if len(value) > MAX_MODEL_CHARS:
            raise ValueError(f"{name} is too long")
        return
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false")
        return
    kind = int if isinstance(default, int) else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ValueError(f"{name} must be a number")
    low, high = LIMITS.get(name, (-math.inf, math.inf))
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{name} must be within {low} .. {high}")


@dataclass(frozen=True)
class Preset:
    """``settings`` holds some of :data:`PRESET_SETTINGS`; an empty ``system_prompt``
    stands for the default prompt. ``id`` is None until stored; shipped ones have fixed
    ids and are never stored."""

    name: str
    system_prompt: str
    settings: dict[str, Any]
    id: str | None = None
    shipped: bool = False

    def __post_init__(self) -> None:
        if not self.name or self.name != one_line(self.name):
            raise ValueError("a preset needs a name on one line")
        if len(self.name) > MAX_NAME_CHARS:
            raise ValueError(f"a preset's name is at most {MAX_NAME_CHARS} characters")
        if self.system_prompt != clean_user_text(self.system_prompt):
            raise ValueError("the system prompt has control characters or blank ends")
        if len(self.system_prompt) > MAX_PROMPT_CHARS:
            raise ValueError(f"the system prompt is at most {MAX_PROMPT_CHARS} characters")
        for name, value in self.settings.items():
            _check_setting(name, value)


def make_preset(
    name: str, system_prompt: str | None, settings: Mapping[str, Any], *, id: str | None = None
) -> Preset:
    """A preset from what a visitor typed and chose: the name on one line, the prompt
    without control characters, unset settings left out. Raises ValueError when it
    does not fit the bounds."""
    chosen = {key: value for key, value in settings.items() if value is not None}
    if isinstance(chosen.get("temperature"), int) and not isinstance(chosen["temperature"], bool):
        chosen["temperature"] = float(chosen["temperature"])
    return Preset(one_line(name), clean_user_text(system_prompt or ""), chosen, id=id)


def applied(preset: Preset | None, chosen: Mapping[str, Any]) -> dict[str, Any]:
    """The managed settings a session holds once ``preset`` is chosen (None: Default,
    the configured values), given the visitor's ``chosen`` ones.

    A preset decides all of them except the model, which one that names none leaves
    as the visitor has it: a shipped preset suits whichever model is in use.
    """
    if preset is None:
        return {}
    result = dict(preset.settings)
    if preset.system_prompt:
        result["system_prompt"] = preset.system_prompt
    if "model" not in result and chosen.get("model") is not None:
        result["model"] = chosen["model"]
    return result


def matches(preset: Preset | None, chosen: Mapping[str, Any], configured: Settings) -> bool:
    """Whether the visitor's ``chosen`` settings work as choosing ``preset`` would (None:
    Default), on top of the ``configured`` ones: the picker then shows it in use."""
    wanted = with_overrides(configured, applied(preset, chosen))
    held = with_overrides(configured, chosen)
    return all(getattr(wanted, name) == getattr(held, name) for name in MANAGED)


def _shipped(language: str) -> list[Preset]:
    texts = _SHIPPED_TEXTS[language]
    return [
        Preset(texts[key][0], texts[key][1], dict(settings), id=key, shipped=True)
        for key, settings in _SHIPPED_SETTINGS.items()
    ]


def shipped_presets(language: str) -> list[Preset]:
    """The app's own presets in ``language`` ("ja" or "en"; English for anything else)."""
    return _shipped(language if language in _SHIPPED_TEXTS else "en")


# Exact work (translation, proofreading, review) at temperature 0 or near it; longer
# answers than the default 512 tokens, since these rewrite whole texts.
_SHIPPED_SETTINGS: dict[str, dict[str, Any]] = {
    "translator": {"temperature": 0.0, "max_tokens": 2048},
    "proofreader": {"temperature": 0.0, "max_tokens": 2048},
    "code-reviewer": {"temperature": 0.2, "max_tokens": 2048},
    "explain-simply": {"temperature": 0.5, "max_tokens": 1024},
}

_SHIPPED_TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "translator": (
            "Translator (Japanese ⇄ English)",
            "You are a translator between Japanese and English. Translate each text the "
            "user sends: Japanese into natural English, and English (or any other language) "
            "into natural Japanese. Keep the meaning, tone and formatting of the original "
            "(lists, code, Markdown), and add no explanation unless asked. Where a passage "
            "is ambiguous, give the most likely translation and briefly note the other "
            "reading. If you do not know how to translate a term, say so honestly instead "
            "of guessing.",
        ),
        "proofreader": (
            "Proofreader",
            "You are a careful proofreader. Correct the spelling, grammar, punctuation and "
            "awkward phrasing of each text the user sends, keeping the author's meaning, "
            "voice and language (Japanese stays Japanese, English stays English). Give the "
            "corrected text first, then a short list of the changes that matter and why. If "
            "the text needs no change, say so. Where you cannot tell whether something is "
            "a mistake (a name, a technical term), point it out rather than change it; if "
            "you do not know, say that you do not know.",
        ),
        "code-reviewer": (
            "Code reviewer",
            "You are an experienced software engineer reviewing code. For the code the user "
            "sends, point out bugs, security problems, unclear names and missing error "
            "handling first, then smaller improvements, the most important first. Quote the "
            "lines you mean and show a corrected version where it helps; do not rewrite "
            "everything, and keep the author's style. When a point depends on context you "
            "cannot see, say what you would need to know. If you do not know, say honestly "
            "that you do not know.",
        ),
        "explain-simply": (
            "Explain simply",
            "You explain things simply and clearly, for someone new to the subject. Use "
            "everyday words, short sentences and a concrete example or comparison, and "
            "explain any technical term you cannot avoid. Start with an answer of one or two "
            "sentences, then give the details. If you do not know the answer, say honestly "
            "that you do not know rather than guess.",
        ),
    },
    "ja": {
        "translator": (
            "翻訳（日本語⇄英語）",
            "あなたは日本語と英語の翻訳者です。ユーザーが送る文章を翻訳してください。"
            "日本語は自然な英語に、英語（やその他の言語）は自然な日本語に訳します。"
            "原文の意味、語調、書式（箇条書き、コード、Markdown）を保ち、"
            "頼まれない限り解説は加えないでください。"
            "意味が曖昧な箇所は最も自然な訳を示し、別の解釈を短く添えてください。"
            "訳し方がわからない用語は、推測せずに正直に「わかりません」と伝えてください。",
        ),
        "proofreader": (
            "文章校正",
            "あなたは丁寧な校正者です。ユーザーが送る文章の誤字脱字、文法、句読点、"
            "不自然な表現を直してください。書き手の意図と文体、言語はそのまま保ちます"
            "（日本語は日本語のまま、英語は英語のまま）。"
            "まず修正後の文章を示し、続けて主な修正点とその理由を短く箇条書きにしてください。"
            "直すところがなければ、そう伝えてください。"
            "固有名詞や専門用語など、誤りかどうか判断できない箇所は書き換えずに指摘してください。"
            "わからないことは、正直に「わかりません」と答えてください。",
        ),
        "code-reviewer": (
            "コードレビュー",
            "あなたは経験豊富なソフトウェアエンジニアとして、コードをレビューします。"
            "ユーザーが送るコードについて、まずバグ、セキュリティ上の問題、"
            "わかりにくい名前、足りないエラー処理を指摘し、続けて細かな改善点を"
            "重要なものから順に挙げてください。該当する行を引用し、必要に応じて修正例を"
            "示してください。全体を書き直さず、書き手のスタイルを尊重してください。"
            "見えていない文脈によって変わる点は、何がわかれば判断できるかを伝えてください。"
            "わからないことは、正直に「わかりません」と答えてください。",
        ),
        "explain-simply": (
            "やさしく説明",
            "あなたは、その分野に詳しくない人にもわかるように、やさしく説明します。"
            "日常的な言葉と短い文を使い、具体的な例やたとえを添えてください。"
            "避けられない専門用語は、その意味も説明してください。"
            "まず一、二文で答えを示し、それから詳しく説明します。"
            "答えがわからないときは、推測せずに正直に「わかりません」と答えてください。",
        ),
    },
}
