"""Skip logic: "show this question only if an earlier answer is one of …" — the one rule.

A question's ``show_if`` is ``{"question": code, "in": [values]}``: the question is shown only
when the earlier question's answer is one of the values (a multiple choice: when one of its
choices is; ``"na"`` stands for "không áp dụng"). An earlier question left unanswered, or itself
hidden, hides it. No condition (None, ``{}``, no question code) means always shown.

Answers come in two shapes and both are read here: the public form's values kept between
screens (int 1–5, option code, list of codes, number text, text, ``"na"``; see
:mod:`cchc.surveys.forms`) and the services' ``AnswerValue`` (the paper-form import and every
stored response). :func:`answer_strings` gives the same strings for both, so the public form, the
service that stores its response and the import judge every question alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

NA = "na"


@dataclass(frozen=True)
class Condition:
    question: str
    values: tuple[str, ...]  # in the order written

    def __str__(self) -> str:
        return f"{self.question} ∈ {', '.join(self.values)}"

    def met_by(self, value) -> bool:
        """Whether an answer (either shape) of ``question`` shows the dependent question."""
        return not answer_strings(value).isdisjoint(self.values)


def condition(show_if) -> Condition | None:
    """The condition of a ``show_if`` (None: always shown). ``in`` may be one value or a list;
    the values are compared as text."""
    if not isinstance(show_if, Mapping):
        return None
    code = show_if.get("question")
    if code is None or str(code).strip() == "":
        return None
    wanted = show_if.get("in")
    if wanted is None:
        values: Iterable = ()
    elif isinstance(wanted, str | int | float | Decimal):
        values = (wanted,)
    elif isinstance(wanted, Iterable) and not isinstance(wanted, Mapping):
        values = wanted
    else:
        values = ()
    return Condition(str(code), tuple(str(v) for v in values))


def number_text(number: Decimal) -> str:
    """A number as conditions compare it: plain digits, no exponent, no trailing zeros, zero as
    ``0`` (never ``-0``)."""
    if number.is_zero():
        return "0"
    return f"{number.normalize():f}"


def answer_strings(value) -> frozenset[str]:
    """The texts an answer matches: its option codes, ``na``, its number or its text."""
    if value is None:
        return frozenset()
    if hasattr(value, "is_na") and hasattr(value, "choices"):  # services.AnswerValue
        if value.is_na:
            return frozenset({NA})
        if value.choices:
            return frozenset(str(c) for c in value.choices)
        if value.value_decimal is not None:
            return frozenset({number_text(value.value_decimal)})
        if value.value_int is not None:
            return frozenset({str(value.value_int)})
        return frozenset({value.value_text}) if value.value_text else frozenset()
    if isinstance(value, list | tuple | set | frozenset):
        return frozenset(str(v) for v in value)
    if isinstance(value, Decimal):
        return frozenset({number_text(value)})
    text = str(value)
    return frozenset({text}) if text else frozenset()


def is_shown(question, answers: Mapping[str, object]) -> bool:
    """Whether ``question`` (anything with ``show_if``) is shown, given the earlier ``answers``
    ({question code: value in either shape})."""
    cond = condition(question.show_if)
    if cond is None:
        return True
    return cond.met_by(answers.get(cond.question))


def condition_question(question) -> str | None:
    """The code of the question ``question`` depends on, if any."""
    cond = condition(question.show_if)
    return cond.question if cond else None


def describe(show_if) -> str:
    """The condition for people (the paper-form guide): ``KENH ∈ buu_chinh, truc_tiep``."""
    cond = condition(show_if)
    return str(cond) if cond else ""
