"""Curated helpers for chemistry, biology and astronomy, imported inside the kernel.

The assistant's generated code may call the libraries directly (RDKit, Biopython, astropy); this
package is where tested, current helpers and the catalog the prompt draws on will live.
"""
