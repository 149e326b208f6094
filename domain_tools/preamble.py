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
from rdkit import Chem
from rdkit.Chem import AllChem, Crippen, Descriptors, Draw, Lipinski, rdMolDescriptors

# Offline by design: use the IERS tables bundled with astropy-iers-data, never download at run time.
iers.conf.auto_download = False

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
    "const",
    "gc_fraction",
    "molecular_weight",
    "np",
    "pd",
    "plt",
    "rdMolDescriptors",
    "u",
]
