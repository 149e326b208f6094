"""The words the LLM sees besides the user's question. Short: a 1.5B model follows few rules well."""

from __future__ import annotations

_ABOUT = """\
You are sciwand, a careful scientific assistant. You answer by running Python code in a persistent \
Jupyter (IPython) kernel. Installed: RDKit (chemistry), Biopython (biology), astropy with scipy \
(astronomy), numpy, pandas, matplotlib. Everything you need is installed: never install packages.

"""
_PREAMBLE = """\
Already imported in the kernel (use directly): np, pd, plt; RDKit: Chem, AllChem, Descriptors, Crippen, \
Lipinski, rdMolDescriptors, Draw; Biopython: Seq, SeqIO, Align, gc_fraction, molecular_weight, ProteinAnalysis; \
astropy: u (astropy.units), const, SkyCoord, Time, Planck18; tested helpers: chem (chemistry), bio (biology), \
astro (astronomy), listed with the question when they fit.
Values quoted in the question (SMILES, sequences, coordinates, redshifts, times, quantities) are already \
set as variables such as smiles_1, dna_1, protein_1, coord_1, z_1, time_1; use those names.
"""
_HELPERS = """\
Answer helpers print a table with one labelled row per quantity, each with its unit. For a molecule \
print(chem.profile(smiles_1)), for its functional groups print(chem.functional_groups(smiles_1)); for DNA \
or RNA print(bio.dna_profile(dna_1)); for a protein print(bio.protein_profile(protein_1)); for a redshift \
print(astro.cosmology_at(z_1)); for a sky position print(astro.sky(coord_1)); for a date \
print(astro.when(time_1)); for units astro.convert(quantity, unit). \
Print the helper first, then read the row the question asks for; write other code only when no row answers it.
"""
_CALLS = """\
Useful calls: Chem.MolFromSmiles(smiles) (None if invalid); Descriptors.MolWt(mol) is the molecular weight \
(average, g/mol; use it unless asked for exact or monoisotopic mass, which is Descriptors.ExactMolWt(mol)); \
Seq(dna).translate(), .reverse_complement(), .transcribe(); gc_fraction(seq) (a fraction 0-1); \
Planck18.luminosity_distance(z), Planck18.age(z); quantity.to(u.km), quantity.value.
"""
_RULES = """
Rules:
1. To run code, reply with a short explanation and ONE ```python code block, then stop. You will be shown its output.
2. print() every value you need; variables persist between steps and between questions.
3. If the code fails, read the error and send a corrected code block.
4. When the output answers the question, reply with one line: Final answer: <the value as printed, in the unit asked>
5. Never guess a number: copy it from the output, all its digits.
"""


def system_prompt(answer_helpers: bool = True, preamble: bool = True) -> str:
    """The system prompt; without the answer helpers' paragraph, or without everything the kernel preamble
    provides (imports, helpers, bound names, useful calls), for the variants that measure them.

    It holds no worked example: a 1.5B model copies the one it is given whatever the question (a molecule's
    profile for a wavelength). The examples close to each question come with it, in the user turn.
    """
    if not preamble:
        return _ABOUT + _RULES.lstrip("\n")
    return _ABOUT + _PREAMBLE + (_HELPERS if answer_helpers else "") + _CALLS + _RULES


SYSTEM_PROMPT = system_prompt()

# Run in every kernel before the first step; it defines the names the prompt lists as imported.
KERNEL_SETUP = "from domain_tools.preamble import *"

EMPTY_REPLY = (
    "Your reply had neither a ```python code block nor a 'Final answer:' line. "
    "Reply with a code block that computes the answer."
)
SKIPPED_STEP = "The user chose not to run that code. Write a different step, or answer if you already can."
UNGROUNDED_ANSWER = "Check that answer by computing it: reply with a ```python code block that prints the value."
REPEATED_SUCCESS = (
    "You already ran exactly this code and its output is above. If it answers the question, reply "
    "'Final answer: ...' now; otherwise write different code."
)
LAST_TURN = "\nThis is your last turn: reply with 'Final answer: ...' based on the output above."
ANSWER_NUDGE = "\nIf this answers the question, reply 'Final answer: ...'; otherwise send the next code block."
CATALOG_HEADER = "Helpers that may fit (already imported; prefer them):"
QUESTION_HEADER = "Your question:"
TYPED_NUMBERS = "Check: that code only prints numbers you typed, so it proves nothing. Compute the value with a call."
MISSING_VARIABLES = (
    "The question asks you to make {names}, but the kernel has no such variable. Reply with a code block "
    "that assigns it (and prints it)."
)
LOOKUP_HEADER = "Library functions that may fit:"
BOUND_HEADER = "Already set in the kernel from the question (use these names; never retype the values):"
NO_INSTALLS = (
    "That code installs packages, which is not allowed here and not needed: everything is installed. "
    "Use the names already imported (see the system prompt) and write the step again without installing."
)
EARLIER_FAILURES = "Earlier attempts at this question failed with these errors; do not repeat them:\n"
# The registry's way to compute a quantity no answer helper prints (domain_tools/quantities).
QUANTITY_HOW = "No helper table has this quantity; compute {name} with code, for example: {call}"
# A question over a set: the answer is an item, found by code over all of them.
OVER_A_SET = (
    "The question is about the whole set: compute the value for every item in one loop, print each item with "
    "its value, then answer with the item the question asks for (its name), and its value."
)
UNIT_DROPPED = (
    "Check: the code types the number of {text} without its unit. {name} = {text} is a {kind} (an astropy "
    "Quantity); use {name} so its unit is kept (a distance is not a redshift)."
)
CUT_OFF = (
    "Your reply was cut off before its code block ended: it was too long, so it was not run. Write shorter "
    "code: use the variables already set (a collection by its one name, in a loop), never retype values."
)
NAME_THE_ITEM = (
    "The question asks which item of the set: answer with the item's name ({items}), found by code over all of "
    "them, then its value."
)
OVER_THE_SET = (
    "The question is about the whole set in {name}, but the code behind your answer uses none of it. Compute "
    "the value for every item in one loop, print them all, then answer."
)
