"""Capa problem XML: build it for synthetic problems and read its questions back.

Generated problems carry real capa XML (the format Studio exports in `problem/<id>.xml`), with the
correct answers, hints and explanations, so the OLX export imports into Studio and so the activity
simulation can answer questions the way the LMS would grade them (`problem_questions`).
"""

from __future__ import annotations

import random
import typing
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import cast

from learnlake.synth.model import Block, ResponseType

# every capa response tag (the LMS's registry), in the order the grader knows them
RESPONSE_TAGS: tuple[str, ...] = typing.get_args(ResponseType)

# input type the LMS reports in problem_check submissions, per response type
INPUT_TYPES: dict[str, str] = {
    "multiplechoiceresponse": "choicegroup",
    "choiceresponse": "checkboxgroup",
    "optionresponse": "optioninput",
    "numericalresponse": "formulaequationinput",
    "stringresponse": "textline",
    "formularesponse": "formulaequationinput",
    "customresponse": "textline",
    "imageresponse": "imageinput",
    "symbolicresponse": "textline",
    "schematicresponse": "schematic",
    "coderesponse": "textbox",
    "choicetextresponse": "radiotextgroup",
    "annotationresponse": "annotationinput",
    "jsmeresponse": "jsinput",
}

_FILLERS = (
    "none of the other statements",
    "only under laboratory conditions",
    "it depends on the season",
    "the opposite is true",
    "both of the first two",
    "it was disproved in the 1990s",
    "only in theory",
    "it cannot be measured",
)
_WORDS = (
    "amplitude", "baseline", "catalyst", "density", "equilibrium", "feedback", "gradient", "habitat",
    "inertia", "junction", "kinetics", "latitude", "momentum", "nucleus", "osmosis", "pressure",
    "quorum", "resonance", "sediment", "threshold", "upwelling", "velocity", "wavelength", "yield",
)  # fmt: skip


@dataclass(slots=True)
class ProblemQuestion:
    """One gradable input of a problem, with its id as the LMS names it in problem_check events."""

    input_id: str  # "<block id>_<response index + 2>_1"
    response_type: str
    input_type: str
    label: str
    choices: list[tuple[str, str]] = field(default_factory=list)  # (value, text): ("choice_0", "...")
    correct: list[str] = field(default_factory=list)  # correct values (choice names, option text, number)
    tolerance: str | None = None


def build_problem_xml(
    display_name: str,
    topic: str,
    response_types: list[ResponseType],
    rng: random.Random,
    max_attempts: int | None = None,
    weight: float | None = None,
    with_hints: bool = False,
) -> str:
    """Studio-style capa XML for a synthetic problem with one question per response type."""
    attrs = {"display_name": display_name, "markdown": "null"}
    if max_attempts is not None:
        attrs["max_attempts"] = str(max_attempts)
    if weight is not None:
        attrs["weight"] = repr(float(weight))
    if with_hints:
        attrs["show_reset_button"] = "true"
    problem = ET.Element("problem", attrs)
    for index, rtype in enumerate(response_types):
        _add_response(problem, rtype, topic, index, rng, with_hints)
    solution = ET.SubElement(problem, "solution")
    div = ET.SubElement(solution, "div", {"class": "detailed-solution"})
    ET.SubElement(div, "p").text = "Explanation"
    ET.SubElement(
        div, "p"
    ).text = f"This synthetic question about {topic.lower()} has a fixed answer; see the course notes."
    if with_hints:
        demand = ET.SubElement(problem, "demandhint")
        for n in range(1, 3):
            ET.SubElement(demand, "hint").text = f"Hint {n}: think again about {topic.lower()}."
    ET.indent(problem, space="  ")
    return ET.tostring(problem, encoding="unicode") + "\n"


def _add_response(
    problem: ET.Element, rtype: str, topic: str, index: int, rng: random.Random, hints: bool
) -> None:
    word = rng.choice(_WORDS)
    t = topic.lower()
    if rtype in ("multiplechoiceresponse", "choiceresponse"):
        multi = rtype == "choiceresponse"
        resp = ET.SubElement(problem, rtype)
        question = (
            f"Which of these statements about {t} are true?"
            if multi
            else f"Which statement best describes the role of {word} in {t}?"
        )
        ET.SubElement(resp, "label").text = question
        if multi:
            ET.SubElement(resp, "description").text = "Select all that apply."
        group = ET.SubElement(
            resp, "checkboxgroup" if multi else "choicegroup", {} if multi else {"type": "MultipleChoice"}
        )
        n = rng.randint(3, 5)
        correct = set(rng.sample(range(n), rng.randint(1, 2) if multi else 1))
        fillers = rng.sample(_FILLERS, n)
        for i in range(n):
            ok = i in correct
            text = f"{word.capitalize()} drives {t}" if ok and not multi else fillers[i].capitalize()
            if multi and ok:
                text = f"{t.capitalize()} depends on {rng.choice(_WORDS)}"
            choice = ET.SubElement(group, "choice", {"correct": "true" if ok else "false"})
            choice.text = text
            if hints:
                hint = ET.SubElement(choice, "choicehint")
                hint.text = "Right." if ok else "Not quite."
    elif rtype == "optionresponse":
        resp = ET.SubElement(problem, rtype)
        ET.SubElement(resp, "label").text = f"Complete the sentence: {t} mostly depends on ____."
        options = rng.sample(_WORDS, 4)
        right = rng.randrange(4)
        inp = ET.SubElement(resp, "optioninput")
        for i, opt in enumerate(options):
            ET.SubElement(inp, "option", {"correct": "True" if i == right else "False"}).text = opt
    elif rtype == "numericalresponse":
        number = rng.randint(2, 500)
        resp = ET.SubElement(problem, rtype, {"answer": str(number)})
        label = ET.SubElement(resp, "label")
        label.text = f"In the worked example on {t}, what is the measured {word} (a whole number)?"
        ET.SubElement(resp, "responseparam", {"type": "tolerance", "default": "5%"})
        ET.SubElement(resp, "formulaequationinput")
    elif rtype == "stringresponse":
        answer = rng.choice(_WORDS)
        resp = ET.SubElement(problem, rtype, {"answer": answer, "type": "ci"})
        ET.SubElement(resp, "label").text = f"Name the key term that links {t} and {word} (one word)."
        ET.SubElement(resp, "additional_answer", {"answer": answer + "s"})
        ET.SubElement(resp, "textline", {"size": "20"})
    elif rtype == "formularesponse":
        a, b = rng.randint(2, 9), rng.randint(1, 9)
        resp = ET.SubElement(problem, rtype, {"type": "ci", "samples": "x@1:5#10", "answer": f"{a}*x^2+{b}"})
        ET.SubElement(resp, "label").text = f"Write the {word} of the model as a function of x."
        ET.SubElement(resp, "responseparam", {"type": "tolerance", "default": "0.00001"})
        ET.SubElement(resp, "formulaequationinput", {"size": "40"})
    else:  # other response types: a free-text custom response checked by a script
        resp = ET.SubElement(problem, rtype, {"cfn": "check", "expect": word})
        ET.SubElement(resp, "label").text = f"Type the word '{word}'."
        ET.SubElement(resp, "textline", {"size": "20"})


def problem_questions(block: Block) -> list[ProblemQuestion]:
    """The questions of a problem block (from its capa XML), with ids, choices and correct answers."""
    if not block.raw_xml:
        return [
            ProblemQuestion(f"{_block_id(block)}_{i + 2}_1", rt, INPUT_TYPES.get(rt, "textline"), "")
            for i, rt in enumerate(block.response_types)
        ]
    try:
        root = ET.fromstring(block.raw_xml)
    except ET.ParseError:
        return []
    block_id = _block_id(block)
    out: list[ProblemQuestion] = []
    responses = [el for el in root.iter() if el.tag in RESPONSE_TAGS]
    for i, resp in enumerate(responses):
        q = ProblemQuestion(
            input_id=f"{block_id}_{i + 2}_1",
            response_type=resp.tag,
            input_type=INPUT_TYPES.get(resp.tag, "textline"),
            label=_label(resp),
        )
        if resp.tag in ("multiplechoiceresponse", "choiceresponse"):
            for n, choice in enumerate(resp.iter("choice")):
                value = choice.get("name") or f"choice_{n}"
                q.choices.append((value, (choice.text or "").strip()))
                if (choice.get("correct") or "").lower() == "true":
                    q.correct.append(value)
        elif resp.tag == "optionresponse":
            for opt in resp.iter("option"):
                text = (opt.text or "").strip()
                q.choices.append((text, text))
                if (opt.get("correct") or "").lower() == "true":
                    q.correct.append(text)
            inp = resp.find("optioninput")
            if not q.correct and inp is not None and inp.get("correct"):
                q.correct.append(inp.get("correct", ""))
        elif resp.get("answer") is not None:
            q.correct.append(resp.get("answer", ""))
            param = resp.find("responseparam")
            if param is not None:
                q.tolerance = param.get("default")
        elif resp.get("expect") is not None:
            q.correct.append(resp.get("expect", ""))
        out.append(q)
    return out


def _label(resp: ET.Element) -> str:
    label = resp.find("label")
    if label is not None:
        return "".join(label.itertext()).strip()
    para = resp.find("p")
    return "".join(para.itertext()).strip() if para is not None else ""


def _block_id(block: Block) -> str:
    return block.usage_key.rsplit("@", 1)[-1]


def response_types_of(root: ET.Element) -> list[ResponseType]:
    """Response types of a capa problem element, in document order."""
    return cast(list[ResponseType], [el.tag for el in root.iter() if el.tag in RESPONSE_TAGS])
