"""A sentence under construction: tokens, PTB tags and agreement sites.

:class:`Builder` appends words and records sites; :meth:`Builder.finish` appends the final
``.``, counts each site's attractors and returns a :class:`Sentence`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

NOUN_TAGS = {"NN": "sg", "NNP": "sg", "NNS": "pl"}


@dataclass(frozen=True)
class Ref:
    """A noun phrase (or pronoun) already emitted: its head position and features."""

    index: int
    number: str  # sg | pl
    gender: str | None  # m | f | n | None
    kind: str  # human | animal | thing (names and pronouns carry their referent's kind)

    @property
    def animate(self) -> bool:
        return self.kind != "thing"


@dataclass
class Site:
    """One agreement dependency: ``target`` must agree with ``controller``."""

    type: str  # subject_verb | reflexive | pronoun
    controller: int
    target: int
    number: str
    gender: str | None
    construction: str
    good: str
    bad: str
    bad_gender: str | None = None  # reflexive/pronoun only: the gender-flipped form, if any
    attractors: int = 0
    attractor_positions: list[int] = field(default_factory=list)

    def record(self) -> dict:
        rec = {
            "type": self.type,
            "controller": self.controller,
            "target": self.target,
            "number": self.number,
            "gender": self.gender,
            "construction": self.construction,
            "attractors": self.attractors,
            "attractor_positions": self.attractor_positions,
            "good": self.good,
            "bad": self.bad,
        }
        if self.type != "subject_verb":
            rec["bad_gender"] = self.bad_gender
        return rec


@dataclass
class Sentence:
    tokens: list[str]
    tags: list[str]
    sites: list[Site]
    template: str  # the sentence pattern it was drawn from (a construction name or "plain")
    main: int | None = None  # index into sites of the site the template was built around

    def text(self) -> str:
        return " ".join(self.tokens)

    def record(self) -> dict:
        return {
            "pos": self.tags,
            "sites": [s.record() for s in self.sites],
            "template": self.template,
            "main": self.main,
        }

    def main_site(self) -> Site | None:
        return None if self.main is None else self.sites[self.main]


class Builder:
    def __init__(self) -> None:
        self.tokens: list[str] = []
        self.tags: list[str] = []
        self.sites: list[Site] = []
        self.main: Site | None = None

    def add(self, word: str, tag: str) -> int:
        """Append one token; return its position."""
        self.tokens.append(word)
        self.tags.append(tag)
        return len(self.tokens) - 1

    def site(
        self,
        type_: str,
        controller: Ref,
        target: int,
        construction: str,
        good: str,
        bad: str,
        bad_gender: str | None = None,
        main: bool = False,
    ) -> Site:
        s = Site(
            type_,
            controller.index,
            target,
            controller.number,
            controller.gender,
            construction,
            good,
            bad,
            bad_gender,
        )
        self.sites.append(s)
        if main:
            self.main = s
        return s

    def finish(self, template: str) -> Sentence:
        self.add(".", ".")
        for s in self.sites:
            s.attractor_positions = attractor_positions(self.tags, s.controller, s.target, s.number)
            s.attractors = len(s.attractor_positions)
        main = next((i for i, s in enumerate(self.sites) if s is self.main), None)
        return Sentence(self.tokens, self.tags, self.sites, template, main)


def attractor_positions(tags: list[str], controller: int, target: int, number: str) -> list[int]:
    """Positions of nouns strictly between controller and target whose number differs."""
    lo, hi = sorted((controller, target))
    return [i for i in range(lo + 1, hi) if NOUN_TAGS.get(tags[i], number) != number]


@dataclass(frozen=True)
class Want:
    """What a template is asked for: a construction, its attractor count, a forced present tense.

    ``attractors=None`` lets the template draw the intervening nouns' numbers freely (corpus
    mode); ``present=False`` lets the main verb take any tense, so the site may not appear.
    """

    construction: str
    attractors: int | None = None
    present: bool = False
