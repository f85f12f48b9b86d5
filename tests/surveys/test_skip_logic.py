"""Skip logic, one rule (cchc.surveys.skip_logic): its conditions, and the public form, the
service that stores its response and the paper-form import judging every question alike."""

from decimal import Decimal

import pytest
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cchc.surveys import forms, services, skip_logic
from cchc.surveys.models import Question, QuestionType
from cchc.surveys.services import AnswerValue

OPTIONS = [{"code": c, "label": c.upper()} for c in ("a", "b", "c")]


def question(code="Q2", show_if=None, qtype=QuestionType.SCALE5, **extra) -> Question:
    return Question(code=code, text=code, type=qtype, show_if=show_if, **extra)


# --- the conditions -------------------------------------------------------------------------------


@pytest.mark.parametrize("show_if", [None, {}, {"in": ["a"]}, {"question": "", "in": ["a"]}, ["Q1"], "Q1"])
def test_no_condition_means_always_shown(show_if):
    assert skip_logic.condition(show_if) is None
    assert skip_logic.is_shown(question(show_if=show_if), {})
    assert skip_logic.describe(show_if) == ""


@pytest.mark.parametrize(
    ("earlier", "shown"),
    [
        (None, False),  # not answered (or itself hidden): hidden too
        ("a", True),
        ("b", False),
        (["b", "c"], True),  # a multiple choice: one of its choices is enough
        (["b"], False),
        ("na", False),
        (AnswerValue(choices=("a",)), True),
        (AnswerValue(choices=("b", "c")), True),
        (AnswerValue(choices=("b",)), False),
        (AnswerValue(is_na=True), False),
        (AnswerValue(), False),
    ],
)
def test_a_choice_condition(earlier, shown):
    q = question(show_if={"question": "Q1", "in": ["a", "c"]})
    assert skip_logic.is_shown(q, {"Q1": earlier} if earlier is not None else {}) is shown


@pytest.mark.parametrize(
    ("earlier", "shown"),
    [
        (4, True),
        ("4", True),
        (3, False),
        (AnswerValue(value_int=4), True),
        (AnswerValue(value_int=5), False),
        ("na", True),
        (AnswerValue(is_na=True), True),
    ],
)
def test_a_scale_or_na_condition(earlier, shown):
    q = question(show_if={"question": "Q1", "in": [4, "na"]})  # values compared as text
    assert skip_logic.is_shown(q, {"Q1": earlier}) is shown


@pytest.mark.parametrize(
    ("earlier", "shown"),
    [
        ("0", True),
        (Decimal("-0"), True),
        (Decimal("0.000"), True),
        (AnswerValue(value_int=0, value_decimal=Decimal("-0")), True),
        ("2.5", True),
        (Decimal("2.50"), True),
        (AnswerValue(value_decimal=Decimal("2.50")), True),
        (AnswerValue(value_int=1000, value_decimal=Decimal("1E+3")), False),
        ("3", False),
    ],
)
def test_a_number_condition_compares_plain_digits(earlier, shown):
    q = question(show_if={"question": "N", "in": ["0", "2.5"]})
    assert skip_logic.is_shown(q, {"N": earlier}) is shown


def test_number_text():
    assert [
        skip_logic.number_text(Decimal(s)) for s in ("-0", "0.00", "0e5", "2.50", "1e3", "-3.10", "1E+11")
    ] == ["0", "0", "0", "2.5", "1000", "-3.1", "100000000000"]


def test_a_text_condition_and_odd_shapes_of_in():
    assert skip_logic.is_shown(question(show_if={"question": "T", "in": ["có"]}), {"T": "có"})
    assert not skip_logic.is_shown(question(show_if={"question": "T", "in": ["có"]}), {"T": ""})
    # one value instead of a list is that value (not its letters)
    only = question(show_if={"question": "C", "in": "ab"})
    assert skip_logic.is_shown(only, {"C": "ab"}) and not skip_logic.is_shown(only, {"C": "a"})
    # no values, or values that are not a list: never shown
    for wanted in (None, [], {"a": 1}):
        assert not skip_logic.is_shown(question(show_if={"question": "C", "in": wanted}), {"C": "a"})


def test_describe_keeps_the_written_order():
    assert skip_logic.describe({"question": "KENH", "in": ["truc_tiep", "buu_chinh"]}) == (
        "KENH ∈ truc_tiep, buu_chinh"
    )
    assert skip_logic.condition_question(question(show_if={"question": "KENH", "in": []})) == "KENH"
    assert skip_logic.condition_question(question()) is None


# --- the former call sites agree through the one rule ----------------------------------------------

TYPES = [
    QuestionType.SCALE5,
    QuestionType.CHOICE,
    QuestionType.NUMBER,
    QuestionType.MULTI,
    QuestionType.INTEGER,
    QuestionType.TEXT,
    QuestionType.CHOICE,
    QuestionType.SCALE5,
]
WANTED = ["1", "2", "4", "5", "a", "b", "c", "na", "0", "-0", "2.5", "3", "1000", "ok"]
NUMBERS = st.one_of(
    st.sampled_from(["0", "-0", "0.0", "-0.00", "2", "2.5", "2,50", "-3", "1e3", "3", "1000"]),
    st.decimals(min_value=-(10**6), max_value=10**6, allow_nan=False, allow_infinity=False, places=3).map(
        str
    ),
)
POSTED = {
    QuestionType.SCALE5: st.sampled_from(["", "1", "2", "3", "4", "5", "na"]),
    QuestionType.CHOICE: st.sampled_from(["", "a", "b", "c", "na"]),
    QuestionType.MULTI: st.one_of(st.lists(st.sampled_from(["a", "b", "c"]), unique=True), st.just(["na"])),
    QuestionType.NUMBER: st.one_of(st.just(""), st.just("na"), NUMBERS),
    QuestionType.INTEGER: st.sampled_from(["", "0", "-0", "3", "10", "1000", "na", "2.5"]),
    QuestionType.TEXT: st.sampled_from(["", "ok", "a", "3", "Cán bộ tận tình"]),
}


@st.composite
def questionnaires(draw) -> list[Question]:
    """A questionnaire of every type, each question after the first maybe shown only if an
    earlier one has one of some values."""
    out = []
    for i, qtype in enumerate(TYPES):
        show_if = None
        if i and draw(st.booleans()):
            earlier = out[draw(st.integers(0, i - 1))]
            show_if = {"question": earlier.code, "in": draw(st.lists(st.sampled_from(WANTED), min_size=1))}
        has_options = qtype in (QuestionType.CHOICE, QuestionType.MULTI)
        out.append(
            Question(
                code=f"Q{i}",
                text=f"Q{i}",
                type=qtype,
                order=i,
                allow_na=draw(st.booleans()),
                options=OPTIONS if has_options else [],
                show_if=show_if,
            )
        )
    return out


def posted(questions, raw: dict) -> MultiValueDict:
    data = MultiValueDict()
    for q in questions:
        value = raw[q.code]
        data.setlist(f"q_{q.code}", value if isinstance(value, list) else [value])
    return data


def answer_through_the_public_form(screens, raw: dict) -> dict:
    """What the public form keeps, screen by screen (one question each), as its flow does: each
    screen shows the questions the earlier answers allow, a refused value is left unanswered."""
    answers: dict = {}
    for screen in screens:
        shown = forms.visible_questions(screen, answers)
        if not shown:
            continue
        values, _errors = forms.parse_screen(shown, posted(shown, raw))
        answers = {k: v for k, v in answers.items() if k not in {q.code for q in shown}}
        answers.update(values)
        answers = forms.prune(screens, answers)
    return answers


@st.composite
def filled(draw):
    questions = draw(questionnaires())
    raw = {q.code: draw(POSTED[q.type]) for q in questions}
    return questions, raw


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(filled())
@example(
    (
        [
            Question(code="N", text="N", type=QuestionType.NUMBER, order=0),
            Question(
                code="F", text="F", type=QuestionType.TEXT, order=1, show_if={"question": "N", "in": ["0"]}
            ),
        ],
        {"N": "-0", "F": "Không phải đi lại"},
    )
)
def test_the_public_form_and_the_service_that_stores_it_agree_on_every_question(case):
    questions, raw = case
    screens = [forms.Screen(q.code, [q]) for q in questions]
    kept = answer_through_the_public_form(screens, raw)
    # The public form hands what it kept to submit_response, which parses it with skip logic.
    parsed = services.parse_answers(questions, kept)
    assert parsed.errors == {}
    assert set(parsed.values) == set(kept)
    for q in questions:
        assert skip_logic.is_shown(q, kept) == skip_logic.is_shown(q, parsed.values), q.code
        assert forms.screen_is_shown(forms.Screen(q.code, [q]), kept) == skip_logic.is_shown(q, parsed.values)


def paper_cell(value):
    return ";".join(value) if isinstance(value, list) else value


ANSWERS = st.sampled_from(list(POSTED)).flatmap(lambda t: st.tuples(st.just(t), POSTED[t], st.booleans()))


@settings(max_examples=300, deadline=None)
@given(ANSWERS)
@example((QuestionType.NUMBER, "-0", True))
@example((QuestionType.INTEGER, "-0", False))
@example((QuestionType.NUMBER, "1e3", False))
def test_the_same_answer_on_the_web_and_on_paper_matches_the_same_conditions(case):
    """The public form's value and the paper-form import's AnswerValue of one typed answer give
    the same strings to every condition."""
    qtype, raw, allow_na = case
    has_options = qtype in (QuestionType.CHOICE, QuestionType.MULTI)
    q = Question(code="Q", text="Q", type=qtype, allow_na=allow_na, options=OPTIONS if has_options else [])
    web, errors = forms.parse_screen([q], posted([q], {"Q": raw}))
    try:
        paper = services.parse_value(q, paper_cell(raw))
    except ValueError:
        paper = None
        refused = True
    else:
        refused = False
    assert bool(errors) == refused  # both take it or both refuse it
    if not refused:
        assert skip_logic.answer_strings(web.get("Q")) == skip_logic.answer_strings(paper)
