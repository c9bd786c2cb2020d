"""The fixed set of construction names, the template that builds each, and the default mix.

Site constructions (the ``construction`` field of a site record):

=========================  ===================================================  ===========
name                       example (controller ... target)                      attractors
=========================  ===================================================  ===========
simple                     the **author** **laughs**                            0
pp                         the **keys** to the cabinet near the doors **are**   0..k
subj_rel                   the **author** that likes the guards **laughs**      0..k
within_subj_rel            the **author** that **likes** the guards             0
obj_rel                    the **author** that the guards like **laughs**       0..k
obj_rel_no_that            the **author** the guards like **laughs**            0..k
within_obj_rel             the author that the **guards** **like**              0..k
within_obj_rel_no_that     the author the **guards** **like**                   0..k
sent_comp                  the mechanic said the **author** **laughs**          0
vp_coord_short             the **author** laughs and **swims**                  0
vp_coord_long              the **author** knows many languages and **likes** …  0..k
reflexive_simple           the **senators** hurt **themselves**                 0
reflexive_sent_comp        the mechanic said the **actress** hurt **herself**   0
reflexive_across_rel       the **senators** that the actress met hurt           0..k
                           **themselves**
pronoun                    the **king** says that the guards admire **him**     0..k
=========================  ===================================================  ===========

Sentence templates are the same names plus ``plain`` (past/modal verbs only, no sites).
"""

from __future__ import annotations

from collections.abc import Callable

from lstm_nlp.grammar import agreement, anaphora
from lstm_nlp.grammar.params import DEFAULT_MIX

Template = Callable[..., None]

TEMPLATES: dict[str, Template] = {
    "plain": agreement.plain,
    "simple": agreement.simple,
    "pp": agreement.pp,
    "subj_rel": agreement.subj_rel,
    "within_subj_rel": agreement.subj_rel,
    "obj_rel": agreement.obj_rel,
    "obj_rel_no_that": agreement.obj_rel,
    "within_obj_rel": agreement.obj_rel,
    "within_obj_rel_no_that": agreement.obj_rel,
    "sent_comp": agreement.sent_comp,
    "vp_coord_short": agreement.vp_coord_short,
    "vp_coord_long": agreement.vp_coord_long,
    "reflexive_simple": anaphora.reflexive_simple,
    "reflexive_sent_comp": anaphora.reflexive_sent_comp,
    "reflexive_across_rel": anaphora.reflexive_across_rel,
    "pronoun": anaphora.pronoun,
}

CONSTRUCTIONS: tuple[str, ...] = tuple(name for name in TEMPLATES if name != "plain")

# Constructions whose controller and target never have a noun between them.
NO_ATTRACTORS = frozenset(
    {
        "simple",
        "within_subj_rel",
        "sent_comp",
        "vp_coord_short",
        "reflexive_simple",
        "reflexive_sent_comp",
    }
)

assert set(TEMPLATES) == set(DEFAULT_MIX), "every template needs a default weight (params.py)"
