"""The built-in ``grammar`` corpus: seeded English-like sentences annotated for agreement.

Sentences come from templates over a lexicon of a few thousand real English word forms
(:mod:`.lexicon`), sampled with Zipfian frequencies whose rank order is fixed by the seed.
They cover subject-verb agreement (simple, across PPs with attractors, across and within
subject/object relative clauses with and without "that", in sentential complements, in
short and long VP coordination), reflexives (simple, in a sentential complement, across a
relative clause) and pronouns, mixed with plain sentences (past or modal verbs only) and
variety (adjectives, adverbs, sentence-initial adjuncts, pronoun subjects, proper names).

Files (:func:`write_corpus`; the ``data=grammar`` source caches them, see :mod:`.source`)::

    train.txt  valid.txt  test.txt        lowercase, whitespace-tokenised, one sentence per
                                          line, each ending with " ."
    train.jsonl valid.jsonl test.jsonl    one JSON record per line, aligned with the .txt lines
    grammar.json                          the generator parameters and GENERATOR_VERSION

Record schema (positions are 0-based token indices into the line; "." is a token)::

    # line: "the keys to the cabinet are old ."
    {"pos": ["DT", "NNS", "TO", "DT", "NN", "VBP", "JJ", "."],   # one PTB tag per token
     "template": "pp",             # sentence template: a construction name or "plain"
     "main": 0,                    # index in "sites" of the site the template was built
                                   # around, or null (plain sentences, past-tense main verb)
     "sites": [
       {"type": "subject_verb",    # subject_verb | reflexive | pronoun
        "controller": 1,           # the subject / antecedent head (a noun or a pronoun)
        "target": 5,               # the agreeing verb / reflexive / pronoun
        "number": "pl",            # the controller's number: sg | pl
        "gender": null,            # the controller's gender: m | f | n | null (common-gender
                                   # human nouns like "senator", plural pronoun controllers)
        "construction": "pp",      # see lstm_nlp.grammar.constructions.CONSTRUCTIONS
        "attractors": 1,           # nouns strictly between controller and target whose
        "attractor_positions": [4],#   number differs from the controller's (NN/NNP = sg, NNS = pl)
        "good": "are",             # the word at target
        "bad": "is",               # the minimally different form with the other number
        "bad_gender": null}]}      # reflexive/pronoun sites only: the form with the other
                                   # gender (sg m/f antecedents), else null

Tags used: DT CD JJ NN NNS NNP PRP VBZ VBP VBD VB MD TO IN WDT WP RB CC and ".".
Agreeing targets: present-tense verbs (VBZ/VBP, including is/are and has/have), was/were,
reflexives (himself/herself/itself/themselves) and pronouns (he/she/it/they,
him/her/it/them).  Lexical past-tense verbs and modal + VB carry no agreement and make no site.

Construction names (site-level; sentence templates add "plain")::

    simple, pp, subj_rel, within_subj_rel, obj_rel, obj_rel_no_that, within_obj_rel,
    within_obj_rel_no_that, sent_comp, vp_coord_short, vp_coord_long, reflexive_simple,
    reflexive_sent_comp, reflexive_across_rel, pronoun

For test suites, ``SentenceGenerator(params).sentences(n, "obj_rel", attractors=2)`` gives
``n`` sentences whose main site (``Sentence.main_site()``) has that construction and count.
"""

from lstm_nlp.grammar.constructions import CONSTRUCTIONS
from lstm_nlp.grammar.generator import SentenceGenerator
from lstm_nlp.grammar.params import DEFAULT_MIX, GENERATOR_VERSION, GrammarParams, make_params
from lstm_nlp.grammar.writer import write_corpus

__all__ = [
    "CONSTRUCTIONS",
    "DEFAULT_MIX",
    "GENERATOR_VERSION",
    "GrammarParams",
    "SentenceGenerator",
    "make_params",
    "write_corpus",
]
