"""The names every sciwand kernel starts with, so generated code does not trip over forgotten imports.

A small model's most common first error is a ``NameError`` for ``Descriptors``, ``u`` or ``gc_fraction``;
importing the everyday names up front removes that whole class of failed turns. The assistant's system
prompt lists exactly ``__all__`` (a test keeps the two in step).
"""

import astropy.units as u
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from astropy import constants as const
from astropy.coordinates import SkyCoord
from astropy.cosmology import Planck18
from astropy.time import Time
from astropy.utils import iers
from Bio import Align, SeqIO
from Bio.Seq import Seq
from Bio.SeqUtils import gc_fraction, molecular_weight
from Bio.SeqUtils.ProtParam import ProteinAnalysis
from rdkit import Chem, rdBase
from rdkit.Chem import AllChem, Crippen, Descriptors, Draw, Lipinski, rdMolDescriptors

from domain_tools import astronomy as astro
from domain_tools import biology as bio
from domain_tools import chemistry as chem

# Offline by design: use the IERS tables bundled with astropy-iers-data, never download at run time.
iers.conf.auto_download = False
# Past the bundled table's predictions astropy would refuse "tonight" (predictive values more than 30 days
# old); reusing the last values costs arc-seconds, which is fine for planning observations.
iers.conf.auto_max_age = None
# RDKit logs parse errors from C++ straight to the process's stderr, which no cell output shows; through
# Python they reach the cell, so the model (and the user) can read why a SMILES was rejected.
rdBase.LogToPythonStderr()

__all__ = [
    "Align",
    "AllChem",
    "Chem",
    "Crippen",
    "Descriptors",
    "Draw",
    "Lipinski",
    "Planck18",
    "ProteinAnalysis",
    "Seq",
    "SeqIO",
    "SkyCoord",
    "Time",
    "astro",
    "bio",
    "chem",
    "const",
    "gc_fraction",
    "molecular_weight",
    "np",
    "pd",
    "plt",
    "rdMolDescriptors",
    "u",
]
