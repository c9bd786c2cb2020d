"""Independent tables of the grammar's lexicon: what tests check generated text against."""

from lstm_nlp.grammar.lexicon import default_lexicon

LEX = default_lexicon()
NOUN_NUMBER = {
    **{n.sg: "sg" for n in LEX.all_nouns()},
    **{n.pl: "pl" for n in LEX.all_nouns() if n.pl},
}
NOUN_GENDER = {form: n.gender for n in LEX.all_nouns() for form in (n.sg, n.pl) if form}
VERB_NUMBER = {
    **{v.vbz: "sg" for v in LEX.all_verbs()},
    **{v.base: "pl" for v in LEX.all_verbs()},
    "is": "sg",
    "are": "pl",
    "was": "sg",
    "were": "pl",
    "has": "sg",
    "have": "pl",
}
VERB_PAIRS = {frozenset((v.vbz, v.base)) for v in LEX.all_verbs()} | {
    frozenset(p) for p in (("is", "are"), ("was", "were"), ("has", "have"))
}
REFLEXIVES = {
    "himself": ("sg", "m"),
    "herself": ("sg", "f"),
    "itself": ("sg", "n"),
    "themselves": ("pl", None),
}
PRONOUNS = {
    "he": ("sg", "m"),
    "him": ("sg", "m"),
    "she": ("sg", "f"),
    "her": ("sg", "f"),
    "it": ("sg", "n"),
    "they": ("pl", None),
    "them": ("pl", None),
}
