"""The first use of each glossary term in a chapter links to the glossary.

Reads the terms of ``book/glossary.md`` and, for every chapter, finds the first place in its prose
(not in code, maths, headings, links, roles or directive options) where a term or one of its forms
appears. That first use must be a ``{term}`` role. ``tests/test_glossary.py`` checks it; run

    .venv/bin/python scripts/glossary_links.py --fix

to turn each unlinked first use into a link (review the diff: a word can have an everyday sense).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "book" / "glossary.md"
# The pages that teach: the introduction (which links the glossary once), the glossary, the API
# reference and the report are not chapters.
NOT_CHAPTERS = {"intro", "glossary", "api", "report", "errata"}

# Other forms of a term that count as a use of it (plurals with "s"/"es" are added automatically).
FORMS = {
    "95 % interval": ["confidence interval"],
    "accuracy": ["accuracies"],
    "backpropagation": ["backprop"],
    "batch size": ["batch-size"],
    "calibration": ["calibrated", "miscalibrated", "miscalibration"],
    "CNN": ["convolutional network", "convolutional neural network"],
    "cosine schedule": ["cosine decay"],
    "cross-entropy": ["cross entropy"],
    "data augmentation": ["augmentation", "augmented"],
    "dense layer": ["fully connected"],
    "equivariance": ["equivariant", "invariant", "invariance"],
    "expected calibration error": ["ECE"],
    "finite differences": ["finite difference", "finite-difference"],
    "full-batch": ["full batch"],
    "global average pooling": ["GAP"],
    "hidden layer": ["hidden unit", "hidden units"],
    "initialisation": ["initialization"],
    "learning rate": ["learning-rate"],
    "logits": ["logit"],
    "McNemar's test": ["McNemar’s test", "McNemar"],
    "mean squared error": ["MSE", "squared error"],
    "MLP": ["multilayer perceptron", "dense network"],
    "overfitting": ["overfit", "overfits", "overfitted"],
    "pooling": ["max pooling", "max-pooling"],
    "regulariser": ["regularisation", "regularization", "regularizer"],
    "SGD": ["stochastic gradient descent"],
    "standardising": ["standardise", "standardised", "standardisation", "standardization"],
    "test set": ["test split"],
    "unit": ["neuron", "neurons"],
    "validation set": ["validation split"],
}


# A {term} role, with its words and, when they differ from the term, the term in angle brackets.
TERM_ROLE = re.compile(r"\{term\}`([^`<]*?)(?:\s*<([^>`]+)>)?`")

# Directives whose body is prose (their options and title line are not).
PROSE_DIRECTIVES = {
    "{glue:figure}",
    "{figure}",
    "{admonition}",
    "{note}",
    "{exercise}",
    "{solution}",
    "{tip}",
    "{warning}",
    "{important}",
    "{dropdown}",
}

# Everyday senses of glossary words, which are not uses of the term.
EVERYDAY = [
    r"per unit",
    r"in units of",
    r"biases both",
    r"bias[-\s]+correct\w*",
    r"given accuracy",
    r"unit tests?",
    r"Celsius units",
]


@dataclass(frozen=True)
class Use:
    """One use of a glossary term in a chapter's source: where, the words, and whether linked."""

    term: str
    start: int
    end: int
    linked: bool


def glossary_entries(text: str | None = None) -> dict[str, str]:
    """Each term of the glossary page, in its order, with its definition's text."""
    text = GLOSSARY.read_text(encoding="utf-8") if text is None else text
    block = text.split(":::{glossary}", 1)[1].split("\n:::", 1)[0]
    entries, term = {}, None
    for line in block.splitlines():
        if line and not line[0].isspace() and not line.startswith(":"):
            term = line.strip()
            entries[term] = ""
        elif term is not None:
            entries[term] += " " + line.strip()
    return entries


def glossary_terms(text: str | None = None) -> list[str]:
    """The terms of the glossary page, in its order."""
    return list(glossary_entries(text))


def _forms(term: str) -> list[str]:
    forms = [term, *FORMS.get(term, [])]
    words = [f for f in forms if f[-1].isalpha() and not (f.isupper() and len(f) > 1)]
    plural = [f + "s" for f in words] + [f + "es" for f in words if f.endswith(("s", "x", "sh"))]
    return forms + plural


def _pattern(form: str) -> str:
    words = [re.escape(word) for word in form.split()]
    body = r"[\s\u00a0]+".join(words)
    # Acronyms (two capitals or more) match their case only; other words any case.
    case = "" if sum(c.isupper() for c in form) >= 2 else "(?i:"
    body = f"{case}{body})" if case else body
    return rf"(?<![\w-]){body}(?![\w-])"


def _prose_mask(text: str) -> list[bool]:
    """For each character: is it prose that may hold a glossary link?"""
    mask = [False] * len(text)
    lines = text.splitlines(keepends=True)
    offset, fence, in_front, in_math, open_prose = 0, None, False, False, []
    for number, line in enumerate(lines):
        stripped = line.strip()
        start = offset
        offset += len(line)
        if number == 0 and stripped == "---":
            in_front = True
            continue
        if in_front:
            in_front = stripped != "---"
            continue
        if in_math:
            in_math = not stripped.endswith("$$")
            continue
        if fence is not None:
            if stripped == fence:
                fence = None
            continue
        if open_prose and stripped == open_prose[-1]:
            open_prose.pop()  # the end of a directive whose body is prose
            continue
        opener = re.match(r"(`{3,}|:{3,})\s*(\{[^}]*\})?", stripped)
        if opener:
            marks, directive = opener.group(1), opener.group(2) or ""
            if directive in PROSE_DIRECTIVES:
                open_prose.append(marks)
            else:
                fence = marks  # code, maths and other literal blocks: skipped whole
            continue
        if stripped.startswith("$$"):
            in_math = not (len(stripped) > 2 and stripped.endswith("$$"))
            continue
        if stripped.startswith(("#", ":", "(", "+++", "<!--", "<")) or re.match(
            r"^\|?[\s:|-]+\|?$", stripped
        ):
            continue  # headings, directive options, labels, cell breaks, comments, HTML
        for index in range(start, start + len(line)):
            mask[index] = True
    for everyday in re.finditer("|".join(EVERYDAY), text, flags=re.IGNORECASE):
        for index in range(everyday.start(), everyday.end()):
            mask[index] = False
    # Inside prose: inline code, maths, roles, links and HTML are not prose.
    for literal in re.finditer(
        r"`[^`\n]*`|\$[^$\n]+\$|\]\([^)\n]*\)|\[[^\]\n]*\]\(|<[^>\n]+>|"
        r"\{[\w:-]+\}`[^`]*`",
        text,
    ):
        for index in range(literal.start(), literal.end()):
            mask[index] = False
    return mask


def term_uses(text: str, terms: list[str]) -> dict[str, list[Use]]:
    """Every use of every term in a chapter's text, linked (a ``{term}`` role) or not."""
    mask = _prose_mask(text)
    uses: dict[str, list[Use]] = {term: [] for term in terms}
    lookup = {term.lower(): term for term in terms}
    for role in TERM_ROLE.finditer(text):
        target = " ".join((role.group(2) or role.group(1)).split()).lower()
        if target in lookup:
            uses[lookup[target]].append(Use(lookup[target], role.start(), role.end(), True))
    taken = [False] * len(text)
    forms = sorted(
        ((form, term) for term in terms for form in _forms(term)), key=lambda pair: -len(pair[0])
    )
    for form, term in forms:  # longest forms first: "gradient descent" before "gradient"
        for match in re.finditer(_pattern(form), text):
            span = range(match.start(), match.end())
            if all(mask[i] for i in span) and not any(taken[i] for i in span):
                for i in span:
                    taken[i] = True
                uses[term].append(Use(term, match.start(), match.end(), False))
    return {term: sorted(found, key=lambda use: use.start) for term, found in uses.items()}


def unlinked_first_uses(text: str, terms: list[str]) -> list[Use]:
    """The terms whose first use in the text is not a link, at that first use."""
    return [found[0] for found in term_uses(text, terms).values() if found and not found[0].linked]


def link_first_uses(text: str, terms: list[str]) -> str:
    """The text with each term's first use turned into a ``{term}`` role."""
    for use in sorted(unlinked_first_uses(text, terms), key=lambda use: -use.start):
        words = text[use.start : use.end]
        same = words.lower() == use.term.lower()  # a line break inside needs the explicit form
        role = f"{{term}}`{words}`" if same else f"{{term}}`{words} <{use.term}>`"
        text = text[: use.start] + role + text[use.end :]
    return text


def chapters() -> list[Path]:
    """The chapter sources, in the order of the table of contents."""
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    names = re.findall(r"(?:root|file):\s*book/([\w-]+)", toc)
    return [ROOT / "book" / f"{name}.md" for name in names if name not in NOT_CHAPTERS]


def main(argv: list[str]) -> int:
    terms = glossary_terms()
    problems = 0
    for path in chapters():
        text = path.read_text(encoding="utf-8")
        missing = unlinked_first_uses(text, terms)
        if "--fix" in argv and missing:
            path.write_text(link_first_uses(text, terms), encoding="utf-8")
        for use in missing:
            line = text.count("\n", 0, use.start) + 1
            print(f"{path.relative_to(ROOT)}:{line}: first use of '{use.term}' is not linked")
        problems += len(missing)
    return 0 if problems == 0 or "--fix" in argv else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
