"""Closed-class words: determiners, prepositions, pronouns, copulas, modals, relativizers.

Weights are relative frequencies used when sampling (closed classes are not Zipf-ranked).
"""

from __future__ import annotations

SG, PL = "sg", "pl"

# (word, PTB tag, weight) per number of the noun that follows.  "a" becomes "an" as needed.
DETERMINERS = {
    SG: (
        ("the", "DT", 60),
        ("a", "DT", 22),
        ("this", "DT", 5),
        ("that", "DT", 4),
        ("every", "DT", 3),
        ("each", "DT", 3),
        ("another", "DT", 2),
        ("no", "DT", 1),
    ),
    PL: (
        ("the", "DT", 60),
        ("these", "DT", 6),
        ("those", "DT", 5),
        ("some", "DT", 8),
        ("many", "JJ", 6),
        ("several", "JJ", 4),
        ("all", "DT", 3),
        ("no", "DT", 1),
        ("two", "CD", 3),
        ("three", "CD", 2),
        ("four", "CD", 1),
        ("five", "CD", 1),
    ),
}

# Prepositions that head a noun's PP modifier: "the keys to the cabinet".
PREPOSITIONS = (
    ("of", 20),
    ("to", 8),
    ("near", 8),
    ("behind", 5),
    ("beside", 4),
    ("with", 8),
    ("from", 8),
    ("in", 10),
    ("on", 8),
    ("under", 4),
    ("above", 3),
    ("by", 4),
    ("for", 5),
    ("at", 4),
    ("across", 2),
    ("around", 2),
    ("inside", 2),
    ("outside", 2),
    ("beyond", 1),
    ("without", 2),
    ("along", 1),
    ("against", 1),
    ("toward", 1),
    ("beneath", 1),
    ("over", 2),
)
# Prepositions of location, for predicates: "the keys are on the table".
LOCATIVE_PREPOSITIONS = (
    ("on", 6),
    ("in", 6),
    ("near", 4),
    ("under", 3),
    ("behind", 3),
    ("beside", 2),
    ("inside", 2),
)

# (case, number, gender) -> form; plural pronouns have no gender.
PRONOUNS = {
    ("subj", SG, "m"): "he",
    ("subj", SG, "f"): "she",
    ("subj", SG, "n"): "it",
    ("subj", PL, None): "they",
    ("obj", SG, "m"): "him",
    ("obj", SG, "f"): "her",
    ("obj", SG, "n"): "it",
    ("obj", PL, None): "them",
    ("refl", SG, "m"): "himself",
    ("refl", SG, "f"): "herself",
    ("refl", SG, "n"): "itself",
    ("refl", PL, None): "themselves",
}

# Agreeing auxiliaries, by (lemma, tense): {number: (form, PTB tag)}.
COPULA = {
    "present": {SG: ("is", "VBZ"), PL: ("are", "VBP")},
    "past": {SG: ("was", "VBD"), PL: ("were", "VBD")},
}
HAVE = {
    "present": {SG: ("has", "VBZ"), PL: ("have", "VBP")},
    "past": {SG: ("had", "VBD"), PL: ("had", "VBD")},
}
MODALS = (
    ("will", 5),
    ("can", 4),
    ("would", 3),
    ("could", 3),
    ("should", 2),
    ("might", 2),
    ("must", 1),
)

# Relativizers by the head's animacy.
RELATIVIZERS = {
    "animate": (("that", "WDT", 3), ("who", "WP", 2)),
    "thing": (("that", "WDT", 3), ("which", "WDT", 1)),
}
COMPLEMENTIZER = ("that", "IN")
COORDINATOR = ("and", "CC")
INFINITIVE_MARKER = ("to", "TO")
