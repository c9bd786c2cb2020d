"""The syntax benchmarks ``lstm-nlp-data fetch`` downloads: a data table, no network.

Each benchmark names its public GitHub repository, a pinned commit and its files: the path in
the repository at that commit, the path under ``DIR/NAME`` the readers expect (every set is
flat: ``DIR/blimp/adjunct_island.jsonl``, ``DIR/syntaxgym/cleft.json``, ...) and the file's
SHA-256.  ``sha256=None`` marks a hash nobody has pinned yet: ``fetch`` refuses such a file
unless given ``--trust-unverified``, and prints the hash it computed so that it can be pinned
here.

Commits and file lists come from stored copies of the repositories (each file is stored at the
commit given); no hash has been checked against the real bytes yet, so every ``sha256`` is None.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BenchmarkFile:
    """One file of a benchmark: where it is in the repository, where it goes, its SHA-256."""

    remote: str  # path in the repository at the benchmark's commit
    local: str  # path under DIR/NAME (a folder when ``unpack``)
    sha256: str | None = None  # 64 lowercase hex digits, or None: not pinned yet
    unpack: bool = False  # a zip or tar archive: its members go into DIR/NAME/LOCAL/


@dataclass(frozen=True)
class Benchmark:
    """A benchmark set: a GitHub repository at a pinned commit, and the files taken from it."""

    name: str
    repo: str  # owner/name on GitHub
    commit: str  # 40 hex digits
    files: tuple[BenchmarkFile, ...]
    about: str  # one line: what it is

    @property
    def pinned(self) -> int:
        """How many of its files have a pinned SHA-256."""
        return sum(f.sha256 is not None for f in self.files)


def _flat(folder: str, stems: str, suffix: str) -> tuple[BenchmarkFile, ...]:
    """``folder/STEM.suffix`` for each whitespace-separated stem, placed as ``STEM.suffix``."""
    return tuple(BenchmarkFile(f"{folder}/{s}{suffix}", f"{s}{suffix}") for s in stems.split())


BLIMP_PARADIGMS = """
    adjunct_island anaphor_gender_agreement anaphor_number_agreement animate_subject_passive
    animate_subject_trans causative complex_NP_island
    coordinate_structure_constraint_complex_left_branch
    coordinate_structure_constraint_object_extraction determiner_noun_agreement_1
    determiner_noun_agreement_2 determiner_noun_agreement_irregular_1
    determiner_noun_agreement_irregular_2 determiner_noun_agreement_with_adj_2
    determiner_noun_agreement_with_adj_irregular_1 determiner_noun_agreement_with_adj_irregular_2
    determiner_noun_agreement_with_adjective_1 distractor_agreement_relational_noun
    distractor_agreement_relative_clause drop_argument ellipsis_n_bar_1 ellipsis_n_bar_2
    existential_there_object_raising existential_there_quantifiers_1
    existential_there_quantifiers_2 existential_there_subject_raising expletive_it_object_raising
    inchoative intransitive irregular_past_participle_adjectives irregular_past_participle_verbs
    irregular_plural_subject_verb_agreement_1 irregular_plural_subject_verb_agreement_2
    left_branch_island_echo_question left_branch_island_simple_question
    matrix_question_npi_licensor_present npi_present_1 npi_present_2 only_npi_licensor_present
    only_npi_scope passive_1 passive_2 principle_A_c_command principle_A_case_1
    principle_A_case_2 principle_A_domain_1 principle_A_domain_2 principle_A_domain_3
    principle_A_reconstruction regular_plural_subject_verb_agreement_1
    regular_plural_subject_verb_agreement_2 sentential_negation_npi_licensor_present
    sentential_negation_npi_scope sentential_subject_island superlative_quantifiers_1
    superlative_quantifiers_2 tough_vs_raising_1 tough_vs_raising_2 transitive wh_island
    wh_questions_object_gap wh_questions_subject_gap wh_questions_subject_gap_long_distance
    wh_vs_that_no_gap wh_vs_that_no_gap_long_distance wh_vs_that_with_gap
    wh_vs_that_with_gap_long_distance
"""

MARVIN_LINZEN_TEMPLATES = """
    long_vp_coord npi_across_anim npi_across_inanim obj_rel_across_anim obj_rel_across_inanim
    obj_rel_no_comp_across_anim obj_rel_no_comp_across_inanim obj_rel_no_comp_within_anim
    obj_rel_no_comp_within_inanim obj_rel_within_anim obj_rel_within_inanim prep_anim
    prep_inanim reflexive_sent_comp reflexives_across sent_comp simple_agrmt simple_npi_anim
    simple_npi_inanim simple_reflexives subj_rel vp_coord
"""

SYNTAXGYM_SUITES = """
    center_embed center_embed_mod cleft cleft_modifier fgd-embed3 fgd-embed4 fgd_hierarchy
    fgd_object fgd_pp fgd_subject mvrr mvrr_mod nn-nv-rpl npi_orc_any npi_orc_ever npi_src_any
    npi_src_ever npz_ambig npz_ambig_mod npz_obj npz_obj_mod number_orc number_prep number_src
    reflexive_orc_fem reflexive_orc_masc reflexive_prep_fem reflexive_prep_masc
    reflexive_src_fem reflexive_src_masc subordination subordination_orc-orc
    subordination_pp-pp subordination_src-src
"""

BENCHMARKS = (
    Benchmark(
        "blimp",
        "alexwarstadt/blimp",
        "d07303a7662f1942d70c5e2bbac7aa021c6cdbd0",
        _flat("data", BLIMP_PARADIGMS, ".jsonl"),
        "BLiMP (Warstadt et al. 2020): 67 paradigms of 1,000 minimal pairs, JSONL",
    ),
    Benchmark(
        "marvin_linzen",
        "BeckyMarvin/LM_syneval",
        "9a6ac81f0d002c02e236cb8163d8dde4ad29e586",
        _flat("data/templates", MARVIN_LINZEN_TEMPLATES, ".pickle"),
        "Marvin & Linzen (2018): targeted syntactic evaluation, 22 template sets (Python pickles)",
    ),
    Benchmark(
        "gulordava",
        "facebookresearch/colorlessgreenRNNs",
        "00a7b1cbd6b5b837cedcb38a37962150be4f4273",
        _flat("data/agreement/English", "generated", ".text")
        + _flat("data/agreement/English", "generated", ".gold")
        + _flat("data/agreement/English", "generated", ".eval"),
        "Gulordava et al. (2018): English 'colorless green' agreement, text + gold targets",
    ),
    Benchmark(
        "linzen",
        "facebookresearch/colorlessgreenRNNs",
        "00a7b1cbd6b5b837cedcb38a37962150be4f4273",
        _flat("data/linzen_testset", "subj_agr_filtered", ".text")
        + _flat("data/linzen_testset", "subj_agr_filtered", ".gold"),
        "Linzen et al. (2016) agreement test set in LM form (as released with Gulordava et al.)",
    ),
    Benchmark(
        "lakretz",
        "FAIRNS/Number_and_syntax_units_in_LSTM_LMs",
        "124486ed6f4d04d7e7cb0134e734f1bd69145a37",
        _flat("datasets/NA_tasks", "adv adv_adv namepp nounpp_adv", ".txt"),
        "Lakretz et al. (2019) number-agreement stimuli: adv, adv_adv, namepp, nounpp_adv (TSV)",
    ),
    Benchmark(
        "syntaxgym",
        "cpllab/syntactic-generalization",
        "069e007bc71abcc492c35ed31d59d6f246dc52bd",
        _flat("test_suites/json", SYNTAXGYM_SUITES, ".json"),
        "SyntaxGym (Hu et al. 2020): 34 test suites with regions and predictions, JSON",
    ),
)

CATALOGUE: dict[str, Benchmark] = {b.name: b for b in BENCHMARKS}
