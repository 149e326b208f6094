"""Astronomy helpers for the kernel (``astro`` in the preamble): units, coordinates, cosmology, time, FITS, tables.

Thin, tested wrappers around astropy 8 for the steps a small model most often gets wrong: choosing the
unit equivalency, parsing coordinate notations, positional-only redshift arguments, time formats, and
working offline. Nothing here touches the network: observatory sites come from the built-in
``OBSERVATORIES`` table and Earth orientation from the IERS tables bundled with astropy-iers-data,
so results for dates past those tables are extrapolated (documented where it matters). ``cosmology_at``,
``sky`` and ``when`` answer the everyday questions in one labelled table (a ``Profile``) to print.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import astropy.units as u
import numpy as np
import pandas as pd
from astropy import cosmology as _cosmology
from astropy.coordinates import AltAz, EarthLocation, SkyCoord, frame_transform_graph, get_body
from astropy.coordinates import solar_system_ephemeris as _ephemeris
from astropy.io import fits
from astropy.table import Column, QTable, Table
from astropy.time import Time
from astropy.utils import iers

from domain_tools.profile import Profile, Row

# ---------------------------------------------------------------- units


_UNIT_ALIASES = {
    "degC": "deg_C",
    "degF": "deg_F",
    "°F": "deg_F",
    "Fahrenheit": "deg_F",
    "ly": "lyr",
    "ABmag": "mag(AB)",
    "STmag": "mag(ST)",
}


def _unit(unit: Any, name: str) -> u.UnitBase:
    """``unit`` as an astropy unit (strings may use imperial units and the aliases above)."""
    if isinstance(unit, u.UnitBase | u.FunctionUnitBase):
        return unit
    text = _UNIT_ALIASES.get(str(unit).strip(), str(unit).strip())
    try:
        with u.imperial.enable():
            return u.Unit(text)
    except ValueError as err:
        raise ValueError(f"{name}: {unit!r} is not a unit astropy knows ({err})") from None


def _quantity(value: Any, name: str) -> u.Quantity:
    """A Quantity from a Quantity or a "500 nm" string (plain numbers are refused: they have no unit)."""
    try:
        quantity = u.Quantity(value)
    except (TypeError, ValueError):
        quantity = None
    if quantity is None or quantity.unit == u.dimensionless_unscaled:
        raise ValueError(f"{name}: {value!r} is not a quantity with a unit, e.g. 1420.4*u.MHz or '1420.4 MHz'")
    return quantity


def convert(
    value: Any,
    from_unit: Any = None,
    to_unit: Any = None,
    *,
    rest: Any = None,
    doppler: str = "radio",
    at: Any = None,
) -> u.Quantity:
    """Convert ``value`` (in ``from_unit``) to ``to_unit``, choosing the equivalency for you.

    Covers wavelength/frequency/energy/wavenumber (spectral), parallax angle <-> distance, K/°C/°F and
    K <-> eV (temperature), mass <-> energy, magnitudes (ABmag) <-> flux density, velocity <->
    frequency/wavelength when ``rest`` (the rest frequency or wavelength) is given (``doppler``: "radio",
    "optical" or "relativistic"), and F_nu <-> F_lambda when ``at`` (the wavelength or frequency) is given.
    ``value`` may already be a Quantity or a string with its unit: ``convert(500*u.nm, "THz")``,
    ``convert("500 nm", "THz")``, ``convert("10 mas", "pc")``.
    """
    if to_unit is None:  # convert(quantity, target)
        from_unit, to_unit = None, from_unit
    if to_unit is None:
        raise ValueError("to_unit: missing target unit, e.g. convert(500, 'nm', 'THz')")
    target = _unit(to_unit, "to_unit")
    if isinstance(value, str) and from_unit is None:
        value = _quantity(value, "value")
    if isinstance(value, u.Quantity) != (from_unit is None):
        raise ValueError(
            f"from_unit: give it for a plain number (convert(500, 'nm', 'THz')), not for a Quantity ({value!r})"
        )
    if isinstance(value, u.Quantity):
        quantity = value
    else:
        try:
            quantity = np.asarray(value, dtype=float) * _unit(from_unit, "from_unit")
        except (TypeError, ValueError):
            raise ValueError(f"value: {value!r} is not a number or array of numbers") from None
    equivalencies = u.spectral() + u.parallax() + u.temperature() + u.temperature_energy() + u.mass_energy()
    if rest is not None:
        dopplers = {"radio": u.doppler_radio, "optical": u.doppler_optical, "relativistic": u.doppler_relativistic}
        if doppler not in dopplers:
            raise ValueError(f"doppler: {doppler!r} is not one of {sorted(dopplers)}")
        equivalencies += dopplers[doppler](_quantity(rest, "rest"))
    if at is not None:
        equivalencies += u.spectral_density(_quantity(at, "at"))
    try:
        return quantity.to(target, equivalencies=equivalencies)
    except u.UnitConversionError as err:
        need = []
        if (u.m / u.s).is_equivalent(quantity.unit) != (u.m / u.s).is_equivalent(target) and rest is None:
            need.append("rest= (rest frequency or wavelength) for a Doppler velocity")
        if at is None and "spectral flux density" in f"{quantity.unit.physical_type} {target.physical_type}":
            need.append("at= (the wavelength or frequency) for F_nu <-> F_lambda")
        extra = f"; pass {' and '.join(need)}" if need else ""
        raise ValueError(
            f"cannot convert {str(quantity)[:80]} ({quantity.unit.physical_type}) to {target} "
            f"({target.physical_type}): {err}{extra}"
        ) from None


# ---------------------------------------------------------------- coordinates

_HOUR_RA_FRAMES = {"icrs", "fk5", "fk4", "fk4noeterms", "gcrs", "cirs", "tete", "hcrs", "precessedgeocentric"}
_FRAME_ALIASES = {"ecliptic": "barycentricmeanecliptic", "equatorial": "icrs", "j2000": "fk5"}
_DECIMAL_PAIR = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s+[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")
_COLUMN_NAMES = {
    "lon": ("ra", "ra_deg", "raj2000", "_raj2000", "ra_icrs", "l", "glon", "lon"),
    "lat": ("dec", "dec_deg", "dej2000", "decj2000", "_dej2000", "de_icrs", "dec_icrs", "b", "glat", "lat"),
}


def _frame_name(frame: str) -> str:
    name = _FRAME_ALIASES.get(str(frame).lower(), str(frame).lower())
    if name not in frame_transform_graph.get_names():
        known = ", ".join(["ecliptic", *sorted(frame_transform_graph.get_names())])
        raise ValueError(f"frame: unknown frame {frame!r}; known frames: {known}")
    return name


def _default_unit(frame: str, sexagesimal: bool) -> Any:
    return (u.hourangle, u.deg) if sexagesimal and frame in _HOUR_RA_FRAMES else u.deg


def _table_columns(table: Any) -> tuple[Any, Any]:
    """The longitude and latitude columns of a DataFrame or astropy Table (ra/dec, l/b and common variants)."""
    columns = {str(name).lower(): name for name in table.columns}
    found = [next((columns[c] for c in _COLUMN_NAMES[axis] if c in columns), None) for axis in ("lon", "lat")]
    if None in found:
        raise ValueError(f"catalog: no ra/dec (or l/b) columns among {list(columns.values())}")
    lon, lat = (table[name] for name in found)
    return _column_values(lon), _column_values(lat)


def _column_values(column: Any) -> Any:
    """A Quantity when the column has a unit (QTable column, Table Column with unit), else a plain array."""
    if isinstance(column, u.Quantity):
        return column
    if isinstance(column, Column) and column.unit is not None:
        return column.quantity
    return np.asarray(column)


def coord(ra: Any, dec: Any = None, frame: str = "icrs", unit: Any = None) -> SkyCoord:
    """A SkyCoord from whatever notation the question uses.

    Accepts "10h41m04.5s +41d16m09s", "10:41:04.5 +41:16:09" and "10 41 04.5 +41 16 09" (RA in hours),
    "160.27 41.27" (degrees), numbers, strings or Quantities ``coord(160.27, 41.27)``, an (ra, dec) tuple
    (of scalars, strings or arrays), a list of strings, an (N, 2) list/array of pairs, a DataFrame/Table
    with ra/dec columns, or a SkyCoord (returned as is). ``frame="galactic"`` reads the pair as l, b in
    degrees. Plain numbers are degrees unless ``unit``.
    """
    if isinstance(ra, SkyCoord) and dec is None:
        return ra
    frame = _frame_name(frame)
    lon, lat = ra, dec
    if dec is None:
        if isinstance(ra, str) or (isinstance(ra, list) and ra and all(isinstance(s, str) for s in ra)):
            return _parse_coord_strings(ra, frame, unit)
        if isinstance(ra, pd.DataFrame | Table):
            lon, lat = _table_columns(ra)
        elif isinstance(ra, tuple) and len(ra) == 2:
            lon, lat = ra
        elif np.ndim(ra) == 2 and np.shape(ra)[1] == 2:
            lon, lat = np.asarray(ra)[:, 0], np.asarray(ra)[:, 1]
        elif np.ndim(ra) == 1 and len(ra) == 2:
            lon, lat = ra
        else:
            raise ValueError(f"ra: {ra!r} is not a coordinate string, an (ra, dec) pair or a table; pass dec too")
    sexagesimal = any(isinstance(v, str) for v in np.ravel(np.asarray(lon, dtype=object))[:1])
    if unit is None and not isinstance(lon, u.Quantity):
        unit = _default_unit(frame, sexagesimal)
    units = {} if unit is None else {"unit": unit}  # astropy 8 rejects an explicit unit=None
    try:
        return SkyCoord(lon, lat, frame=frame, **units)
    except (ValueError, TypeError, u.UnitsError) as err:
        raise ValueError(f"cannot make a {frame} coordinate from ra={ra!r}, dec={dec!r}: {err}") from None


def _parse_coord_strings(text: str | list[str] | tuple[str, ...], frame: str, unit: Any) -> SkyCoord:
    cleaned = [t.replace(",", " ").strip() for t in ([text] if isinstance(text, str) else text)]
    decimal = [bool(_DECIMAL_PAIR.match(t)) for t in cleaned]
    if unit is None:
        if any(decimal) and not all(decimal):
            raise ValueError(f"coordinate: {text!r} mixes decimal and sexagesimal notations")
        unit = _default_unit(frame, sexagesimal=not decimal[0])
    try:
        return SkyCoord(cleaned[0] if isinstance(text, str) else cleaned, unit=unit, frame=frame)
    except (ValueError, TypeError, u.UnitsError) as err:
        raise ValueError(
            f"cannot parse coordinate {text!r} ({err}); write e.g. '10h41m04.5s +41d16m09s', "
            "'10:41:04.5 +41:16:09' (RA in hours) or '160.27 41.27' (degrees)"
        ) from None


def to_frame(c: Any, frame: str) -> SkyCoord:
    """``c`` (anything ``coord`` accepts) in another frame: "galactic", "icrs", "fk5", "fk4", "ecliptic"
    (barycentric mean ecliptic of J2000), "supergalactic", ..."""
    return coord(c).transform_to(_frame_name(frame))


def separation(a: Any, b: Any, unit: Any = "deg") -> u.Quantity:
    """Great-circle angle between two positions (anything ``coord`` accepts), in ``unit`` ("deg", "arcsec", ...)."""
    return coord(a).separation(coord(b)).to(_unit(unit, "unit"))


def crossmatch(catalog_a: Any, catalog_b: Any, max_sep_arcsec: float = 1.0) -> pd.DataFrame:
    """Nearest neighbour in ``catalog_b`` of every source of ``catalog_a``, kept when closer than ``max_sep_arcsec``.

    Catalogs are anything ``coord`` accepts (SkyCoord arrays, DataFrames/Tables with ra/dec in degrees,
    lists of strings or (ra, dec) pairs). Returns one row per match: index_a, index_b, sep_arcsec.
    """
    if not max_sep_arcsec > 0:
        raise ValueError(f"max_sep_arcsec: must be positive, got {max_sep_arcsec!r}")
    a, b = (coord(c) for c in (catalog_a, catalog_b))
    a, b = (c.reshape((1,)) if c.isscalar else c for c in (a, b))
    index_b, sep, _ = a.match_to_catalog_sky(b)
    sep_arcsec = sep.to_value(u.arcsec)
    keep = sep_arcsec <= max_sep_arcsec
    return pd.DataFrame(
        {"index_a": np.flatnonzero(keep), "index_b": np.asarray(index_b)[keep], "sep_arcsec": sep_arcsec[keep]}
    )


def _position(value: Any, frame: str, name: str) -> SkyCoord:
    """One sky position from anything ``coord`` reads, or an (lon, lat, frame) tuple; errors start with ``name``."""
    if isinstance(value, tuple) and len(value) == 3 and isinstance(value[2], str):
        *value, frame = value
        value = tuple(value)
    try:
        c = coord(value, frame=frame)
    except ValueError as err:
        raise ValueError(f"{name}: {err}") from None
    if not c.isscalar:
        raise ValueError(f"{name}: give one position, not {c.size} (astro.to_frame converts many)")
    return c


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.number) and not isinstance(value, bool)


def sky(position: Any, other: Any = None, frame: str = "icrs") -> Profile:
    """A sky position in every everyday frame and notation, as a labelled table: print it and read the row.

    ``position`` (and ``other``) is a SkyCoord, "10h45m03.59s -59d41m04.26s", "161.26 -59.68" (degrees),
    an (ra, dec) tuple of degrees or strings, or (lon, lat, "galactic"); ``frame`` says how to read a
    string or tuple. Rows (key: quantity): ra, dec, ra_hms, dec_dms, ra_hours (ICRS), l, b (galactic),
    fk5_ra, fk5_dec (J2000), ecl_lon, ecl_lat (J2000 mean ecliptic); with ``other`` also sep_deg,
    sep_arcmin, sep_arcsec and pa (position angle of ``other``, east of north), all in degrees unless named.
    """
    if _is_number(position) and _is_number(other):  # sky(161.26, -59.68): one position, not two
        position, other = (position, other), None
    c = _position(position, frame, "position")
    icrs, galactic = c.icrs, to_frame(c, "galactic")
    ra_hms = icrs.ra.to_string(u.hourangle, sep="hms", precision=3)
    dec_dms = icrs.dec.to_string(u.deg, precision=2, alwayssign=True)
    fk5, ecliptic = to_frame(c, "fk5"), to_frame(c, "ecliptic")
    rows = [
        Row("frame", "input frame", c.frame.name),
        Row("ra", "right ascension RA (ICRS)", icrs.ra.deg, "deg", ".6f"),
        Row("dec", "declination Dec (ICRS)", icrs.dec.deg, "deg", ".6f"),
        Row("ra_hms", "RA (ICRS) in hours, minutes, seconds", ra_hms),
        Row("dec_dms", "Dec (ICRS) in degrees, arcmin, arcsec", dec_dms),
        Row("ra_hours", "RA (ICRS) in decimal hours", icrs.ra.hour, "h", ".6f"),
        Row("l", "galactic longitude l", galactic.l.deg, "deg", ".6f"),
        Row("b", "galactic latitude b", galactic.b.deg, "deg", ".6f"),
        Row("fk5_ra", "RA (FK5, equinox J2000)", fk5.ra.deg, "deg", ".6f"),
        Row("fk5_dec", "Dec (FK5, equinox J2000)", fk5.dec.deg, "deg", ".6f"),
        Row("ecl_lon", "ecliptic longitude (J2000 mean ecliptic)", ecliptic.lon.deg, "deg", ".6f"),
        Row("ecl_lat", "ecliptic latitude (J2000 mean ecliptic)", ecliptic.lat.deg, "deg", ".6f"),
    ]
    if other is not None:
        second = _position(other, frame, "other").icrs
        sep = icrs.separation(second)
        rows += [
            Row("other", "other position (ICRS RA, Dec)", f"{second.ra.deg:.6f} {second.dec.deg:+.6f} deg"),
            Row("sep_deg", "angular separation", sep.deg, "deg", ".6f"),
            Row("sep_arcmin", "angular separation in arcmin", sep.arcmin, "arcmin", ".4f"),
            Row("sep_arcsec", "angular separation in arcsec", sep.arcsec, "arcsec", ".3f"),
            Row("pa", "position angle of other (east of north)", icrs.position_angle(second).deg, "deg", ".4f"),
        ]
    return Profile(f"astro.sky of {icrs.ra.deg:.6f} {icrs.dec.deg:+.6f} (ICRS deg)", rows)


# ---------------------------------------------------------------- cosmology


def _cosmology_model(cosmo: Any, name: str = "cosmo") -> _cosmology.Cosmology:
    if isinstance(cosmo, _cosmology.Cosmology):
        return cosmo
    names = {known.lower(): known for known in _cosmology.realizations.available}
    if str(cosmo).lower() not in names:
        raise ValueError(f"{name}: unknown cosmology {cosmo!r}; available: {', '.join(names.values())}")
    return getattr(_cosmology, names[str(cosmo).lower()])


def cosmology_summary(z: Any, cosmo: Any = "Planck18") -> dict[str, float] | pd.DataFrame:
    """Distances (Mpc), age and lookback time (Gyr), angular scale (kpc/arcsec) and distance modulus at ``z``.

    ``cosmo`` is a realization name ("Planck18", "Planck15", "WMAP9", ...) or a Cosmology object such as
    ``FlatLambdaCDM(H0=70, Om0=0.3)``. A scalar ``z`` gives a dict, a sequence a DataFrame (one row per z).
    """
    model = _cosmology_model(cosmo)
    zs = np.atleast_1d(np.asarray(z, dtype=float))
    if zs.ndim != 1 or not np.all(np.isfinite(zs)) or np.any(zs < 0):
        raise ValueError(f"z: redshifts must be finite and >= 0, got {z!r}")
    distmod = np.full_like(zs, np.nan)  # the distance modulus diverges at z = 0
    if np.any(zs > 0):
        distmod[zs > 0] = model.distmod(zs[zs > 0]).value
    rows = pd.DataFrame(
        {
            "z": zs,
            "comoving_distance_Mpc": model.comoving_distance(zs).to_value(u.Mpc),
            "luminosity_distance_Mpc": model.luminosity_distance(zs).to_value(u.Mpc),
            "angular_diameter_distance_Mpc": model.angular_diameter_distance(zs).to_value(u.Mpc),
            "distance_modulus_mag": distmod,
            "age_Gyr": model.age(zs).to_value(u.Gyr),
            "lookback_time_Gyr": model.lookback_time(zs).to_value(u.Gyr),
            "kpc_per_arcsec": model.kpc_proper_per_arcmin(zs).to_value(u.kpc / u.arcsec),
            "H_km_s_Mpc": model.H(zs).to_value(u.km / u.s / u.Mpc),
        }
    )
    return {k: float(v) for k, v in rows.iloc[0].items()} if np.ndim(z) == 0 else rows


def cosmology_at(z: Any, cosmology: Any = "Planck18") -> Profile:
    """Distances, times and scales at one redshift as a labelled table with units: print it and read the row.

    ``cosmology`` is a realization name ("Planck18", "WMAP9", ...) or a Cosmology object. Rows (key:
    quantity): d_l (Mpc), d_l_gpc, d_a, d_c (Mpc), volume (comoving, Gpc^3), age, lookback, age_today
    (Gyr), h_z, h0 (km/s/Mpc), e_z, scale_factor, kpc_arcsec, kpc_arcmin (proper), distmod (mag).
    """
    if np.ndim(z) != 0 or isinstance(z, bool):
        raise ValueError(f"z: cosmology_at takes one redshift, got {z!r}; for several use astro.cosmology_summary")
    try:
        z = float(z)
    except (TypeError, ValueError):
        raise ValueError(f"z: {z!r} is not a redshift (a number >= 0)") from None
    model = _cosmology_model(cosmology, "cosmology")
    s = cosmology_summary(z, model)  # checks z >= 0
    km_s_mpc = u.km / u.s / u.Mpc
    distmod = s["distance_modulus_mag"]
    volume = model.comoving_volume(z).to_value(u.Gpc**3)
    rows = [
        Row("z", "redshift z", z),
        Row("cosmology", "cosmology", model.name or repr(model)),
        Row("d_l", "luminosity distance D_L", s["luminosity_distance_Mpc"], "Mpc", ".3f"),
        Row("d_l_gpc", "luminosity distance D_L in Gpc", s["luminosity_distance_Mpc"] / 1000, "Gpc", ".6f"),
        Row("d_a", "angular diameter distance D_A", s["angular_diameter_distance_Mpc"], "Mpc", ".3f"),
        Row("d_c", "comoving distance D_C (line of sight)", s["comoving_distance_Mpc"], "Mpc", ".3f"),
        Row("volume", "comoving volume within z (all sky)", volume, "Gpc^3", ".6f"),
        Row("age", "age of the universe at z", s["age_Gyr"], "Gyr", ".4f"),
        Row("lookback", "lookback time to z", s["lookback_time_Gyr"], "Gyr", ".4f"),
        Row("age_today", "age of the universe today (z = 0)", model.age(0).to_value(u.Gyr), "Gyr", ".4f"),
        Row("h_z", "Hubble parameter H(z)", s["H_km_s_Mpc"], "km/s/Mpc", ".4f"),
        Row("h0", "Hubble constant H0", model.H0.to_value(km_s_mpc), "km/s/Mpc", ".4f"),
        Row("e_z", "E(z) = H(z)/H0", float(model.efunc(z)), "", ".6f"),
        Row("scale_factor", "scale factor a = 1/(1+z)", 1 / (1 + z), "", ".6f"),
        Row("kpc_arcsec", "proper scale per arcsec", s["kpc_per_arcsec"], "kpc/arcsec", ".4f"),
        Row("kpc_arcmin", "proper scale per arcmin", s["kpc_per_arcsec"] * 60, "kpc/arcmin", ".4f"),
        Row("distmod", "distance modulus m - M", distmod, "mag", ".4f")
        if z > 0
        else Row("distmod", "distance modulus m - M", "undefined at z = 0 (D_L = 0)"),
    ]
    return Profile(f"astro.cosmology_at z = {z:g} ({model.name})", rows)


# ---------------------------------------------------------------- time


@contextmanager
def _offline_iers() -> Iterator[None]:
    """Use only the bundled IERS tables and accept their (possibly stale) predictions instead of raising."""
    with iers.conf.set_temp("auto_download", False), iers.conf.set_temp("auto_max_age", None):
        yield


def _iers_note(times: Time) -> str:
    """Why accuracy is degraded for ``times`` offline, or "" when the bundled IERS-A table covers them."""
    with _offline_iers():
        end = Time(iers.IERS_Auto.open()["MJD"][-1], format="mjd")
    if np.max(times.utc.mjd) <= end.mjd:
        return ""
    return (
        f"after {end.iso[:10]} (end of the bundled IERS table) UT1-UTC and polar motion are extrapolated "
        "offline: positions good to ~1 arcmin, times in UT1 to ~1 s"
    )


def _time(
    value: Any,
    name: str,
    scale: str = "utc",
    fmt: str | None = None,
    *,
    scale_name: str = "from_scale",
    format_name: str = "from_format",
) -> Time:
    """A Time from a Time, an ISO string or datetime, or a number in ``fmt``; errors name the caller's arguments."""
    if isinstance(value, Time):
        return value
    if scale not in Time.SCALES:
        raise ValueError(f"{scale_name}: {scale!r} is not one of {Time.SCALES}")
    if fmt is None and np.issubdtype(np.asarray(value).dtype, np.number):
        raise ValueError(f"{name}: numeric time {value!r} needs a format, e.g. {format_name}='jd', 'mjd' or 'unix'")
    try:
        return Time(value, scale=scale, format=fmt)
    except ValueError as err:
        raise ValueError(f"{name}: cannot read {value!r} as a time ({str(err).splitlines()[0]})") from None


def convert_time(
    value: Any,
    to_scale: str | None = None,
    to_format: str | None = None,
    *,
    from_scale: str = "utc",
    from_format: str | None = None,
) -> Any:
    """Re-express a time in another scale ("utc", "tai", "tt", "tdb", "ut1", ...) and/or format
    ("jd", "mjd", "iso", "isot", "unix", "decimalyear", "datetime", ...).

    ``value`` is an ISO string, a datetime, a Time, or a number with ``from_format`` (e.g. 60310,
    from_format="mjd"). Returns the value in ``to_format`` (a float or str), or a Time when no format is
    asked. Leap seconds come from the bundled table; UT1 uses the bundled IERS tables (extrapolated, with a
    warning, past their end).
    """
    if to_scale is not None and to_scale not in Time.SCALES:
        raise ValueError(f"to_scale: {to_scale!r} is not one of {Time.SCALES}")
    if to_format is not None and to_format not in Time.FORMATS:
        raise ValueError(f"to_format: {to_format!r} is not one of {sorted(Time.FORMATS)}")
    t = _time(value, "value", from_scale, from_format)
    with _offline_iers():  # also keeps the leap-second table from being re-downloaded when it expires
        if to_scale is not None:
            if "ut1" in (to_scale, t.scale) and (note := _iers_note(t)):
                warnings.warn(note, stacklevel=2)
            t = getattr(t, to_scale)
        if to_format is None:
            return t
        result = t.to_value(to_format)
    return result.item() if isinstance(result, np.ndarray) and result.ndim == 0 else result


def _seconds_between(later: Time, earlier: Time) -> u.Quantity:
    """``later - earlier`` in seconds, from the two-part JDs (no float64 loss), rounded to the microsecond."""
    return np.round((later.jd1 - earlier.jd1 + later.jd2 - earlier.jd2) * 86400.0, 6) * u.s


def leap_seconds(date: Any) -> u.Quantity:
    """TAI - UTC at ``date`` (37 s since 2017), from the leap-second table bundled with astropy."""
    t = _time(date, "date")
    with _offline_iers():
        return _seconds_between(t.tai, t.utc)


def when(time: Any, scale: str = "utc", format: str | None = None) -> Profile:
    """One instant in every everyday time scale and format, as a labelled table: print it and read the row.

    ``time`` is an ISO string ("2024-01-01", "2024-01-01T12:00:00"), a datetime, a Time, or a number with
    ``format`` ("jd", "mjd", "unix", "decimalyear"), read in ``scale`` ("utc", "tt", "tai", "tdb").
    Rows (key: quantity): iso_utc, jd, mjd (UTC, days), jd_tdb, tai, tt, tdb (ISO), tai_utc and tt_utc
    (s), unix (s), decimal_year, day_of_year, weekday. Offline: leap seconds from the bundled table.
    """
    if format is not None and format not in Time.FORMATS:
        raise ValueError(f"format: {format!r} is not one of {sorted(Time.FORMATS)}")
    t = _time(time, "time", scale, format, scale_name="scale", format_name="format")
    if not t.isscalar:
        raise ValueError(f"time: give one instant, not {t.size} (astro.convert_time converts many)")
    with _offline_iers():
        utc, tai, tt, tdb = t.utc, t.tai, t.tt, t.tdb
        rows = [
            Row("iso_utc", "UTC (ISO 8601)", utc.iso),
            Row("jd", "Julian date JD (UTC)", utc.jd, "d", ".6f"),
            Row("mjd", "modified Julian date MJD (UTC)", utc.mjd, "d", ".6f"),
            Row("jd_tdb", "Julian date JD (TDB, for ephemerides)", tdb.jd, "d", ".6f"),
            Row("tai", "TAI (ISO)", tai.iso),
            Row("tt", "TT, terrestrial time (ISO)", tt.iso),
            Row("tdb", "TDB, barycentric dynamical time (ISO)", tdb.iso),
            Row("tai_utc", "TAI - UTC (leap seconds)", _seconds_between(tai, utc).value, "s", ".3f"),
            Row("tt_utc", "TT - UTC", _seconds_between(tt, utc).value, "s", ".3f"),
            Row("unix", "Unix time (since 1970-01-01 UTC, no leap seconds)", utc.unix, "s", ".3f"),
            Row("decimal_year", "decimal year (UTC)", utc.decimalyear, "yr", ".6f"),
            Row("day_of_year", "day of year (UTC, 1 = 1 January)", int(utc.yday.split(":")[1])),
            Row("weekday", "day of the week (UTC)", utc.strftime("%A")),
        ]
    return Profile(f"astro.when {utc.isot} UTC", rows)


# ---------------------------------------------------------------- FITS


def write_fits(path: str | Path, data: Any = None, header: dict[str, Any] | None = None) -> str:
    """Write an image (ndarray) or a table (QTable/Table/DataFrame, as extension 1) to a FITS file, overwriting.

    ``header`` maps keywords to values or (value, comment); COMMENT/HISTORY may be lists of lines.
    """
    primary = fits.Header()
    for key, value in (header or {}).items():
        if str(key).upper() in ("COMMENT", "HISTORY"):
            for line in [value] if isinstance(value, str) else value:
                primary[key] = line
        else:
            primary[key] = value
    if data is None or isinstance(data, np.ndarray | list):
        hdus = fits.HDUList([fits.PrimaryHDU(None if data is None else np.asarray(data), header=primary)])
    elif isinstance(data, Table | pd.DataFrame):
        table = QTable.from_pandas(data) if isinstance(data, pd.DataFrame) else data
        hdus = fits.HDUList([fits.PrimaryHDU(header=primary), fits.table_to_hdu(table)])
    else:
        raise ValueError(f"data: expected an array or a table, got {type(data).__name__}")
    hdus.writeto(path, overwrite=True)
    return str(path)


def _open_fits(path: str | Path) -> fits.HDUList:
    try:
        return fits.open(path)
    except (FileNotFoundError, OSError) as err:
        raise ValueError(f"path: cannot open {str(path)!r} as FITS ({err})") from None


def _hdu(hdus: fits.HDUList, ext: int | str, path: str | Path) -> Any:
    try:
        return hdus[ext]
    except (IndexError, KeyError):
        raise ValueError(f"ext: {str(path)!r} has no HDU {ext!r} (it has {len(hdus)})") from None


def fits_header(path: str | Path, ext: int | str = 0) -> dict[str, Any]:
    """The header of HDU ``ext`` as a dict (COMMENT and HISTORY as lists of lines)."""
    with _open_fits(path) as hdus:
        cards = _hdu(hdus, ext, path).header.cards
        result: dict[str, Any] = {}
        for card in cards:
            if card.keyword in ("COMMENT", "HISTORY", ""):
                result.setdefault(card.keyword, []).append(str(card.value))
            else:
                result[card.keyword] = card.value
        return result


def fits_info(path: str | Path) -> pd.DataFrame:
    """One row per HDU: index, name, type, shape (numpy order; rows for tables), columns, header cards."""
    rows = []
    with _open_fits(path) as hdus:
        for index, hdu in enumerate(hdus):
            table = isinstance(hdu, fits.BinTableHDU | fits.TableHDU)
            rows.append(
                {
                    "index": index,
                    "name": hdu.name,
                    "type": type(hdu).__name__,
                    "shape": (hdu.header.get("NAXIS2", 0),) if table else hdu.shape,
                    "columns": list(hdu.columns.names) if table else [],
                    "cards": len(hdu.header),
                }
            )
    return pd.DataFrame(rows)


def read_fits(path: str | Path, ext: int | str | None = None) -> np.ndarray | QTable:
    """Data of HDU ``ext`` (default: the first with data): an ndarray for images, a QTable (with units) for tables."""
    with _open_fits(path) as hdus:
        if ext is None:
            ext = next((i for i, hdu in enumerate(hdus) if hdu.size), None)
            if ext is None:
                raise ValueError(f"path: {str(path)!r} has no HDU with data")
        hdu = _hdu(hdus, ext, path)
        if isinstance(hdu, fits.BinTableHDU | fits.TableHDU):
            return QTable.read(hdu)
        return np.array(hdu.data)


# ---------------------------------------------------------------- tables

_TABLE_FORMATS = {
    ".ecsv": "ascii.ecsv",
    ".csv": "ascii.csv",
    ".txt": "ascii",
    ".dat": "ascii",
    ".xml": "votable",
    ".vot": "votable",
    ".votable": "votable",
    ".fits": "fits",
    ".fit": "fits",
}


def _table_format(path: str | Path, fmt: str | None) -> str:
    if fmt is not None:
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix not in _TABLE_FORMATS:
        known = sorted(set(_TABLE_FORMATS.values()))
        raise ValueError(f"format: cannot tell the format of {str(path)!r}; pass format=, one of {known}")
    return _TABLE_FORMATS[suffix]


def read_table(path: str | Path, format: str | None = None) -> QTable:
    """Read ECSV, CSV, VOTable, FITS or plain ASCII into a QTable (columns with units become Quantities).

    The format follows the file extension unless ``format`` (an astropy format name like "ascii.ecsv").
    """
    if not Path(path).exists():
        raise ValueError(f"path: no such file {str(path)!r}")
    return QTable.read(path, format=_table_format(path, format))


def write_table(table: Any, path: str | Path, format: str | None = None) -> str:
    """Write a QTable/Table, DataFrame or dict of columns, overwriting; the format follows the extension.

    ECSV, VOTable and FITS keep units; CSV and plain ASCII drop them.
    """
    if isinstance(table, pd.DataFrame):
        table = QTable.from_pandas(table)
    elif isinstance(table, dict):
        table = QTable(table)
    elif not isinstance(table, Table):
        raise ValueError(f"table: expected a Table, DataFrame or dict of columns, got {type(table).__name__}")
    table.write(path, format=_table_format(path, format), overwrite=True)
    return str(path)


# ---------------------------------------------------------------- observing

# name: (latitude deg, longitude deg east, height m), from the astropy-data site registry
# (which EarthLocation.of_site cannot download offline).
OBSERVATORIES: dict[str, tuple[float, float, float]] = {
    "paranal": (-24.62744, -70.40499, 2669),
    "la silla": (-29.25667, -70.73, 2347),
    "cerro tololo": (-30.16528, -70.815, 2215),
    "cerro pachon": (-30.24074, -70.73668, 2750),
    "las campanas": (-29.00333, -70.70167, 2282),
    "alma": (-23.029, -67.755, 5000),
    "mauna kea": (19.82833, -155.47833, 4160),
    "haleakala": (20.71552, -156.169, 3048),
    "kitt peak": (31.96333, -111.6, 2120),
    "palomar": (33.356, -116.863, 1706),
    "lick": (37.34333, -121.63667, 1290),
    "mcdonald": (30.67167, -104.02167, 2075),
    "apache point": (32.78, -105.82, 2798),
    "vla": (34.07875, -107.61828, 2124),
    "green bank": (38.43306, -79.83972, 807),
    "roque de los muchachos": (28.75833, -17.88, 2327),
    "teide": (28.3, -16.50972, 2390),
    "calar alto": (37.22361, -2.54611, 2168),
    "greenwich": (51.477811, -0.001475, 46),
    "sutherland": (-32.37582, 20.81081, 1798),
    "siding spring": (-31.27336, 149.06119, 1149),
}
_SITE_ALIASES = {
    "vlt": "paranal",
    "eso": "paranal",
    "ctio": "cerro tololo",
    "gemini south": "cerro pachon",
    "rubin": "cerro pachon",
    "lsst": "cerro pachon",
    "lco": "las campanas",
    "keck": "mauna kea",
    "subaru": "mauna kea",
    "gemini north": "mauna kea",
    "kpno": "kitt peak",
    "hale": "palomar",
    "apo": "apache point",
    "gbt": "green bank",
    "la palma": "roque de los muchachos",
    "lapalma": "roque de los muchachos",
    "orm": "roque de los muchachos",
    "salt": "sutherland",
    "saao": "sutherland",
    "aao": "siding spring",
    "sso": "siding spring",
}


def _site_key(name: str) -> str:
    return re.sub(r"[^a-z]+", " ", name.lower().replace("observatory", "")).strip()


def observatory(name: str) -> EarthLocation:
    """EarthLocation of a well-known observatory from the built-in ``OBSERVATORIES`` table (works offline,
    unlike ``EarthLocation.of_site``): "paranal", "mauna kea", "la silla", "kitt peak", "la palma", ..."""
    key = _site_key(str(name))
    key = _SITE_ALIASES.get(key, key)
    if key not in OBSERVATORIES:
        known = ", ".join([*OBSERVATORIES, *_SITE_ALIASES])
        raise ValueError(f"site: {name!r} is not a known observatory; known: {known}; or give latitude/longitude")
    lat, lon, height = OBSERVATORIES[key]
    return EarthLocation(lat=lat * u.deg, lon=lon * u.deg, height=height * u.m)


@dataclass(frozen=True)
class Observability:
    """One night of a target seen from a site; ``table`` has a row per time step (UTC, noon to noon local)."""

    table: pd.DataFrame
    is_observable: bool  # above min_altitude while the Sun is below sun_altitude
    best_time: str | None  # UTC of the highest dark-sky altitude (None if never up in the dark)
    max_altitude_deg: float  # highest altitude in the dark (nan if no dark time)
    min_airmass: float
    hours_observable: float
    note: str  # accuracy caveat ("" when the bundled IERS tables cover the date)

    def __repr__(self) -> str:
        summary = (
            f"Observability(is_observable={self.is_observable}, best_time={self.best_time!r}, "
            f"max_altitude_deg={self.max_altitude_deg:.1f}, min_airmass={self.min_airmass:.3f}, "
            f"hours_observable={self.hours_observable:.2f}, table: {len(self.table)} rows)"
        )
        return f"{summary}\nnote: {self.note}" if self.note else summary


def observability(
    target: Any,
    site_lat: float | None = None,
    site_lon: float | None = None,
    site_height_m: float = 0.0,
    date: Any = None,
    *,
    site: str | None = None,
    min_altitude_deg: float = 30.0,
    sun_altitude_deg: float = -18.0,
    step_minutes: float = 10.0,
) -> Observability:
    """Altitude, azimuth, airmass and Sun altitude of ``target`` over the night starting on local ``date``.

    ``target`` is anything ``coord`` accepts or a solar-system body ("moon", "mars", ...). The site is
    ``site`` (a name in ``OBSERVATORIES``) or site_lat/site_lon in degrees (east positive) and height in m.
    Observable = above ``min_altitude_deg`` while the Sun is below ``sun_altitude_deg`` (-18: astronomical
    night). Offline accuracy: Earth orientation comes from the bundled IERS tables; past their end it is
    extrapolated (arcminute-level, ample for planning; see ``.note``).
    """
    if site is not None:
        location = observatory(site)
    elif site_lat is None or site_lon is None:
        raise ValueError("site: pass site='paranal' (see astro.OBSERVATORIES) or site_lat and site_lon")
    else:
        if not (-90 <= site_lat <= 90 and -180 <= site_lon <= 360):
            raise ValueError(f"site_lat/site_lon: ({site_lat}, {site_lon}) is not a place on Earth (degrees)")
        location = EarthLocation(lat=site_lat * u.deg, lon=site_lon * u.deg, height=site_height_m * u.m)
    if not 0 < step_minutes <= 120:
        raise ValueError(f"step_minutes: must be in (0, 120], got {step_minutes!r}")
    body = target.lower().strip() if isinstance(target, str) else ""
    is_body = body in _ephemeris.bodies and body != "earth"
    sky = None if is_body else coord(target)
    with _offline_iers(), warnings.catch_warnings():  # the accuracy caveat goes to .note instead
        warnings.filterwarnings("ignore", message="Tried to get polar motions")
        warnings.filterwarnings("ignore", message=".*dubious year")
        day = _time(Time.now().iso[:10] if date is None else date, "date")
        # local midnight after the evening of `date`, by mean solar time
        midnight = Time(day.utc.iso[:10]) + (1 - location.lon.to_value(u.deg) / 360) * u.day
        times = midnight + np.arange(-12 * 60, 12 * 60 + step_minutes, step_minutes) * u.min
        frame = AltAz(obstime=times, location=location)
        altaz = (get_body(body, times, location) if is_body else sky).transform_to(frame)
        sun_alt = get_body("sun", times, location).transform_to(frame).alt.to_value(u.deg)
        time_utc = times.utc.strftime("%Y-%m-%d %H:%M")
        note = _iers_note(times)
    alt = altaz.alt.to_value(u.deg)
    dark = sun_alt < sun_altitude_deg
    up = dark & (alt >= min_altitude_deg)
    table = pd.DataFrame(
        {
            "time_utc": time_utc,
            "alt_deg": alt,
            "az_deg": altaz.az.to_value(u.deg),
            "airmass": np.where(alt > 0, altaz.secz.value, np.nan),
            "sun_alt_deg": sun_alt,
            "dark": dark,
            "observable": up,
        }
    )
    dark_up = dark & (alt > 0)
    best = int(np.argmax(np.where(dark_up, alt, -np.inf))) if dark_up.any() else None
    return Observability(
        table=table,
        is_observable=bool(up.any()),
        best_time=None if best is None else table["time_utc"][best],
        max_altitude_deg=float(alt[dark].max()) if dark.any() else float("nan"),
        min_airmass=float(table["airmass"][dark_up].min()) if dark_up.any() else float("nan"),
        hours_observable=float(up.sum() * step_minutes / 60),
        note=note,
    )
