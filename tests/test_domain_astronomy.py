"""The astronomy helpers against values computed independently or taken from the literature, offline."""

from __future__ import annotations

import socket

import astropy.units as u
import numpy as np
import pandas as pd
import pytest
from astropy.coordinates import BarycentricMeanEcliptic, SkyCoord
from astropy.cosmology import WMAP9, FlatLambdaCDM, Planck18
from astropy.table import QTable
from astropy.time import Time
from astropy.utils import iers

from domain_tools import astronomy as astro
from domain_tools.catalog import load, select
from domain_tools.catalog_astronomy import ENTRIES

from conftest import assert_printed_with_units

C_M_S = 299_792_458.0
PARANAL_LAT = -24.62744


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """As in the kernel: no IERS download configured, and any attempt to reach the network fails the test."""
    attempts: list[tuple] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    with iers.conf.set_temp("auto_download", False):
        yield
    assert not attempts, f"tried the network: {attempts}"


# ---------------------------------------------------------------- units


def test_convert_picks_the_equivalency():
    assert astro.convert(500, "nm", "THz").to_value(u.THz) == pytest.approx(C_M_S / 500e-9 / 1e12)  # 599.585
    assert astro.convert(500 * u.nm, "THz").to_value(u.THz) == pytest.approx(599.584916)
    assert astro.convert(1, "mas", "pc").to_value(u.pc) == pytest.approx(1000.0)
    assert astro.convert(0, "degC", "K").value == pytest.approx(273.15)
    assert astro.convert(212, "degF", "deg_C").value == pytest.approx(100.0)
    assert astro.convert(1, "eV", "K").value == pytest.approx(1.602176634e-19 / 1.380649e-23)  # e / k_B
    assert astro.convert(0, "ABmag", "Jy").value == pytest.approx(3631, rel=1e-3)
    assert astro.convert([1, 2], "pc", "lyr").value == pytest.approx([3.26156, 6.52313], rel=1e-5)


def test_convert_doppler_and_flux_density_with_their_reference_value():
    rest = 1420.40575
    radio = astro.convert(1421, "MHz", "km/s", rest=f"{rest} MHz")
    assert radio.to_value(u.km / u.s) == pytest.approx(C_M_S * (1 - 1421 / rest) / 1e3)
    optical = astro.convert(656.5, "nm", "km/s", rest=656.28 * u.nm, doppler="optical")
    assert optical.to_value(u.km / u.s) == pytest.approx(C_M_S * (656.5 / 656.28 - 1) / 1e3)
    f_lambda = astro.convert(1, "Jy", "erg/(s cm2 AA)", at=5000 * u.AA)  # F_lambda = F_nu c / lambda^2
    assert f_lambda.value == pytest.approx(1e-23 * C_M_S * 1e2 / (5000e-8) ** 2 * 1e-8)


def test_convert_reads_quantity_strings():
    assert astro.convert("500 nm", "THz").to_value(u.THz) == pytest.approx(C_M_S / 500e-9 / 1e12)
    assert astro.convert("10 mas", "pc").to_value(u.pc) == pytest.approx(100.0)  # parallax
    assert astro.convert("100 pc", "mas").to_value(u.mas) == pytest.approx(10.0)
    assert astro.convert("13.6 eV", "nm").to_value(u.nm) == pytest.approx(1239.841984 / 13.6)  # hc = 1239.84 eV nm
    radio = astro.convert("1421 MHz", "km/s", rest="1420.40575 MHz")
    assert radio.to_value(u.km / u.s) == pytest.approx(C_M_S * (1 - 1421 / 1420.40575) / 1e3)
    with pytest.raises(ValueError, match=r"value: '500' is not a quantity with a unit"):
        astro.convert("500", "THz")
    with pytest.raises(ValueError, match=r"cannot convert 500\.0 nm \(length\) to kg"):
        astro.convert("500 nm", "kg")


def test_convert_rejects_incompatible_units_naming_both():
    with pytest.raises(ValueError, match=r"nm \(length\) to kg \(mass\)"):
        astro.convert(1, "nm", "kg")
    with pytest.raises(ValueError, match="rest="):
        astro.convert(1421, "MHz", "km/s")
    with pytest.raises(ValueError, match="at="):
        astro.convert(1, "Jy", "erg/(s cm2 AA)")
    with pytest.raises(ValueError, match="to_unit: 'furlongs'"):
        astro.convert(1, "m", "furlongs")
    with pytest.raises(ValueError, match="from_unit"):
        astro.convert(1 * u.m, "m", "km")
    with pytest.raises(ValueError, match="doppler"):
        astro.convert(1, "MHz", "km/s", rest=1 * u.GHz, doppler="sideways")
    with pytest.raises(ValueError, match="rest: 1420"):
        astro.convert(1421, "MHz", "km/s", rest=1420)


# ---------------------------------------------------------------- coordinates


@pytest.mark.parametrize(
    "notation",
    ["10h41m04.5s +41d16m09s", "10:41:04.5 +41:16:09", "10 41 04.5 +41 16 09", "10:41:04.5, +41:16:09"],
)
def test_coord_reads_sexagesimal_notations(notation):
    c = astro.coord(notation)
    assert c.ra.deg == pytest.approx((10 + 41 / 60 + 4.5 / 3600) * 15)
    assert c.dec.deg == pytest.approx(41 + 16 / 60 + 9 / 3600)


def test_coord_reads_degrees_tuples_arrays_tables_and_galactic():
    for value in ("160.27 41.27", (160.27, 41.27), [160.27, 41.27], (160.27 * u.deg, 41.27 * u.deg)):
        c = astro.coord(value)
        assert (c.ra.deg, c.dec.deg) == pytest.approx((160.27, 41.27))
    assert astro.coord(10 * u.hourangle, 41 * u.deg).ra.deg == pytest.approx(150)
    for parts in (("10:41:04.5", "+41:16:09"), ("10h41m04.5s", "41d16m09s")):
        assert astro.coord(*parts).ra.deg == astro.coord(parts).ra.deg == pytest.approx(160.26875)
    pairs = astro.coord([(1, 2), (3, 4), (5, 6)])
    assert pairs.ra.deg.tolist() == [1, 3, 5] and pairs.dec.deg.tolist() == [2, 4, 6]
    table = astro.coord(pd.DataFrame({"RA": [1.0, 2.0], "Dec": [3.0, 4.0]}))
    assert table.dec.deg.tolist() == [3.0, 4.0]
    qtable = astro.coord(QTable({"ra": [1.0] * u.hourangle, "dec": [3.0] * u.deg}))
    assert qtable.ra.deg[0] == pytest.approx(15.0)
    galactic = astro.coord(120, 30, frame="galactic")
    assert galactic.frame.name == "galactic" and (galactic.l.deg, galactic.b.deg) == (120, 30)
    c = SkyCoord(1, 2, unit="deg")
    assert astro.coord(c) is c


def test_coord_rejects_unparseable_input():
    with pytest.raises(ValueError, match="cannot parse coordinate 'not a position'"):
        astro.coord("not a position")
    with pytest.raises(ValueError, match="cannot parse coordinate"):
        astro.coord("25h00m00s +95d00m00s")
    with pytest.raises(ValueError, match="frame: unknown frame 'galactical'"):
        astro.coord(1, 2, frame="galactical")
    with pytest.raises(ValueError, match="no ra/dec"):
        astro.coord(pd.DataFrame({"x": [1.0], "y": [2.0]}))


def test_to_frame_matches_published_positions():
    m31 = astro.to_frame((10.684708, 41.268750), "galactic")  # NED: l = 121.1744, b = -21.5729
    assert (m31.l.deg, m31.b.deg) == pytest.approx((121.1744, -21.5729), abs=1e-3)
    centre = astro.to_frame(astro.coord(0, 0, frame="galactic"), "icrs")  # 17h45m37.2s -28d56m10s
    assert (centre.ra.deg, centre.dec.deg) == pytest.approx((266.405, -28.936), abs=1e-3)
    ecliptic_pole = astro.to_frame((270, 66.560708), "ecliptic")  # the north ecliptic pole (J2000)
    assert ecliptic_pole.lat.deg == pytest.approx(90, abs=1e-3)


def test_separation():
    assert astro.separation((10.684, 41.269), (83.822, -5.391)).to_value(u.deg) == pytest.approx(81.078, abs=1e-3)
    assert astro.separation("0 0", "0 0.001", unit="arcsec").value == pytest.approx(3.6)


def test_crossmatch_keeps_nearest_neighbours_within_the_radius():
    a = pd.DataFrame({"ra": [10.0, 20.0, 30.0], "dec": [0.0, 10.0, -5.0]})
    b = [(50.0, 50.0), (20.0, 10.0 + 0.5 / 3600), (10.0 + 0.3 / 3600, 0.0)]
    matches = astro.crossmatch(a, b, max_sep_arcsec=1.0)
    assert matches[["index_a", "index_b"]].values.tolist() == [[0, 2], [1, 1]]
    assert matches["sep_arcsec"].tolist() == pytest.approx([0.3, 0.5], abs=1e-6)
    assert astro.crossmatch(a, b, max_sep_arcsec=0.4)["index_a"].tolist() == [0]
    with pytest.raises(ValueError, match="max_sep_arcsec"):
        astro.crossmatch(a, b, max_sep_arcsec=0)


# ---------------------------------------------------------------- cosmology


def test_cosmology_summary_matches_planck18():
    s = astro.cosmology_summary(1)
    assert s["luminosity_distance_Mpc"] == pytest.approx(6791.27, abs=0.01)
    assert s["angular_diameter_distance_Mpc"] == pytest.approx(s["luminosity_distance_Mpc"] / 4)
    assert s["comoving_distance_Mpc"] == pytest.approx(s["luminosity_distance_Mpc"] / 2)
    assert s["distance_modulus_mag"] == pytest.approx(5 * np.log10(6791.27e6 / 10), abs=1e-4)
    assert s["kpc_per_arcsec"] == pytest.approx(s["angular_diameter_distance_Mpc"] * 1e3 * np.pi / 180 / 3600)
    today = astro.cosmology_summary(0)
    assert today["age_Gyr"] == pytest.approx(13.787, abs=1e-3)
    assert today["lookback_time_Gyr"] == 0 and np.isnan(today["distance_modulus_mag"])
    assert s["age_Gyr"] + s["lookback_time_Gyr"] == pytest.approx(today["age_Gyr"])


def test_cosmology_summary_tables_other_cosmologies():
    rows = astro.cosmology_summary([0.1, 1, 3], cosmo="wmap9")
    assert isinstance(rows, pd.DataFrame) and rows["z"].tolist() == [0.1, 1, 3]
    assert rows["luminosity_distance_Mpc"].is_monotonic_increasing
    custom = astro.cosmology_summary(0.01, cosmo=FlatLambdaCDM(H0=70, Om0=0.3))
    assert custom["luminosity_distance_Mpc"] == pytest.approx(C_M_S / 1e3 * 0.01 / 70, rel=0.01)  # Hubble law


def test_cosmology_summary_rejects_unknown_cosmology_and_bad_redshift():
    with pytest.raises(ValueError, match=r"unknown cosmology 'Planck99'.*Planck18"):
        astro.cosmology_summary(1, cosmo="Planck99")
    with pytest.raises(ValueError, match="z: "):
        astro.cosmology_summary(-1)


def test_cosmology_at_equals_the_planck18_calls():
    z = 0.7
    p = astro.cosmology_at(z)
    mpc = lambda q: q.to_value(u.Mpc)  # noqa: E731
    assert p["cosmology"] == "Planck18"
    assert p["d_l"] == pytest.approx(mpc(Planck18.luminosity_distance(z)))
    assert p["d_l_gpc"] == pytest.approx(p["d_l"] / 1000)
    assert p["d_a"] == pytest.approx(mpc(Planck18.angular_diameter_distance(z)))
    assert p["d_c"] == pytest.approx(mpc(Planck18.comoving_distance(z)))
    assert p["volume"] == pytest.approx(Planck18.comoving_volume(z).to_value(u.Gpc**3))
    assert p["age"] == pytest.approx(Planck18.age(z).to_value(u.Gyr))
    assert p["lookback"] == pytest.approx(Planck18.lookback_time(z).to_value(u.Gyr))
    assert p["age_today"] == pytest.approx(13.787, abs=1e-3)
    assert p["h_z"] == pytest.approx(Planck18.H(z).to_value(u.km / u.s / u.Mpc))
    assert (p["h0"], p["e_z"]) == pytest.approx((67.66, Planck18.efunc(z)))
    assert p["kpc_arcsec"] == pytest.approx(Planck18.kpc_proper_per_arcmin(z).to_value(u.kpc / u.arcsec))
    assert p["kpc_arcmin"] == pytest.approx(Planck18.kpc_proper_per_arcmin(z).to_value(u.kpc / u.arcmin))
    assert p["distmod"] == pytest.approx(Planck18.distmod(z).value)
    assert p["d_l"] == pytest.approx(p["d_a"] * (1 + z) ** 2) and p["scale_factor"] == pytest.approx(1 / 1.7)
    assert_printed_with_units(p, unitless={"z", "e_z", "scale_factor"})
    assert "luminosity distance D_L : 4384.635 Mpc" in " ".join(str(p).split())


def test_cosmology_at_today_other_cosmologies_and_bad_input():
    today = astro.cosmology_at(0)
    assert today["d_l"] == 0 and today["distmod"].startswith("undefined")
    assert astro.cosmology_at(1, "wmap9")["d_l"] == pytest.approx(WMAP9.luminosity_distance(1).to_value(u.Mpc))
    hubble = astro.cosmology_at(0.01, FlatLambdaCDM(H0=70, Om0=0.3))
    assert hubble["d_l"] == pytest.approx(C_M_S / 1e3 * 0.01 / 70, rel=0.01)  # Hubble's law
    for z, message in ((-1, "z: redshifts must be finite and >= 0"), ([0.1, 0.2], "one redshift"), ("far", "'far'")):
        with pytest.raises(ValueError, match=message):
            astro.cosmology_at(z)
    with pytest.raises(ValueError, match="cosmology: unknown cosmology 'Planck99'"):
        astro.cosmology_at(1, "Planck99")


ETA_CAR = "10h45m03.59s -59d41m04.26s"
ETA_CAR_DEG = ((10 + 45 / 60 + 3.59 / 3600) * 15, -(59 + 41 / 60 + 4.26 / 3600))


def test_sky_equals_astropy_frames():
    p = astro.sky(ETA_CAR)
    c = SkyCoord(*ETA_CAR_DEG, unit="deg")
    assert (p["ra"], p["dec"]) == pytest.approx(ETA_CAR_DEG)
    assert (p["ra_hms"], p["dec_dms"], p["ra_hours"]) == ("10h45m03.590s", "-59d41m04.26s", pytest.approx(c.ra.hour))
    assert (p["l"], p["b"]) == pytest.approx((c.galactic.l.deg, c.galactic.b.deg))
    assert (p["l"], p["b"]) == pytest.approx((287.5967, -0.6295), abs=1e-3)  # SIMBAD
    assert (p["fk5_ra"], p["fk5_dec"]) == pytest.approx((c.fk5.ra.deg, c.fk5.dec.deg))
    ecliptic = c.transform_to(BarycentricMeanEcliptic())
    assert (p["ecl_lon"], p["ecl_lat"]) == pytest.approx((ecliptic.lon.deg, ecliptic.lat.deg))
    assert "sep_deg" not in p
    assert_printed_with_units(p, unitless=set())


@pytest.mark.parametrize(
    "position",
    [
        ETA_CAR,
        "161.264958 -59.684517",
        (161.264958, -59.684517),
        ("10h45m03.59s", "-59d41m04.26s"),
        SkyCoord(*ETA_CAR_DEG, unit="deg"),
        (287.596911, -0.629543, "galactic"),
    ],
    ids=["hms", "degrees", "tuple", "strings", "skycoord", "galactic"],
)
def test_sky_reads_every_notation(position):
    p = astro.sky(position)
    assert (p["ra"], p["dec"]) == pytest.approx(ETA_CAR_DEG, abs=1e-5)


def test_sky_separation_and_position_angle():
    p = astro.sky((10.684, 41.269), (83.822, -5.391))
    a, b = SkyCoord(10.684, 41.269, unit="deg"), SkyCoord(83.822, -5.391, unit="deg")
    assert p["sep_deg"] == pytest.approx(a.separation(b).deg) and p["sep_deg"] == pytest.approx(81.078, abs=1e-3)
    assert (p["sep_arcmin"], p["sep_arcsec"]) == pytest.approx((p["sep_deg"] * 60, p["sep_deg"] * 3600))
    assert p["pa"] == pytest.approx(a.position_angle(b).deg)
    assert astro.sky("0 0", "0 1")["pa"] == pytest.approx(0.0) and astro.sky("0 0", "1 0")["pa"] == pytest.approx(90)
    assert astro.sky(161.264958, -59.684517)["ra"] == pytest.approx(161.264958)  # two numbers: one position
    assert_printed_with_units(p, unitless=set())


def test_sky_names_the_bad_position():
    with pytest.raises(ValueError, match="position: cannot parse coordinate 'nowhere'"):
        astro.sky("nowhere")
    with pytest.raises(ValueError, match="other: cannot parse coordinate 'elsewhere'"):
        astro.sky(ETA_CAR, "elsewhere")
    with pytest.raises(ValueError, match="position: give one position, not 2"):
        astro.sky([(1, 2), (3, 4)])


# ---------------------------------------------------------------- time


def test_convert_time_formats_and_scales():
    assert astro.convert_time("2024-01-01T00:00:00", to_format="jd") == 2460310.5
    assert astro.convert_time("2024-01-01", to_format="mjd") == 60310.0
    assert astro.convert_time("2024-01-01", to_format="unix") == 1704067200.0
    assert astro.convert_time(2460310.5, to_format="isot", from_format="jd") == "2024-01-01T00:00:00.000"
    assert astro.convert_time("2024-01-01", "tai", "iso") == "2024-01-01 00:00:37.000"
    assert astro.convert_time("2024-01-01", "tt", "iso") == "2024-01-01 00:01:09.184"  # TAI + 32.184 s
    tdb = astro.convert_time("2024-01-01", "tdb")
    assert abs((tdb.tt - tdb).to_value(u.s)) < 0.002  # TDB - TT is at most ~1.7 ms
    assert astro.convert_time(["2024-01-01", "2024-01-02"], to_format="mjd").tolist() == [60310.0, 60311.0]


def test_leap_seconds_from_the_bundled_table():
    assert astro.leap_seconds("2024-01-01").to_value(u.s) == 37
    assert astro.leap_seconds("2016-12-31").to_value(u.s) == 36
    assert astro.leap_seconds("1990-06-01").to_value(u.s) == 25


@pytest.mark.filterwarnings("ignore:ERFA function:erfa.ErfaWarning")  # 2100 is past the leap-second table too
def test_ut1_past_the_bundled_iers_table_warns_instead_of_failing():
    with pytest.warns(UserWarning, match="IERS table"):
        iso = astro.convert_time("2100-01-01T00:00:00", "ut1", "iso")
    assert iso.startswith(("2100-01-01", "2099-12-31 23:59:59"))


def test_convert_time_rejects_bad_input():
    with pytest.raises(ValueError, match="from_format="):
        astro.convert_time(60310.0, to_format="iso")
    with pytest.raises(ValueError, match="value: cannot read 'yesterday'"):
        astro.convert_time("yesterday")
    with pytest.raises(ValueError, match="to_scale: 'gmt'"):
        astro.convert_time("2024-01-01", "gmt")
    with pytest.raises(ValueError, match="to_format: 'julian'"):
        astro.convert_time("2024-01-01", to_format="julian")


def test_when_gives_every_scale_and_format():
    p = astro.when("2024-01-01")
    t = Time("2024-01-01", scale="utc")
    assert (p["iso_utc"], p["jd"], p["mjd"]) == ("2024-01-01 00:00:00.000", 2460310.5, 60310.0)
    assert (p["tai"], p["tt"], p["tdb"]) == ("2024-01-01 00:00:37.000", "2024-01-01 00:01:09.184", t.tdb.iso)
    assert p["jd_tdb"] == pytest.approx(t.tdb.jd, abs=1e-9)
    assert (p["tai_utc"], p["tt_utc"]) == pytest.approx((37.0, 69.184))
    assert (p["unix"], p["decimal_year"]) == (1704067200.0, 2024.0)
    assert (p["day_of_year"], p["weekday"]) == (1, "Monday")
    assert astro.when("2024-12-31T18:00:00")["day_of_year"] == 366  # a leap year
    assert_printed_with_units(p, unitless=set())
    assert [p.unit(key) for key in ("jd", "mjd", "tai_utc", "unix")] == ["d", "d", "s", "s"]


def test_when_reads_numbers_times_and_other_scales():
    assert astro.when(60310, format="mjd")["iso_utc"] == "2024-01-01 00:00:00.000"
    assert astro.when(2460310.5, format="jd")["mjd"] == 60310.0
    assert astro.when(Time(60310.25, format="mjd"))["iso_utc"] == "2024-01-01 06:00:00.000"
    assert astro.when("2024-01-01 00:01:09.184", scale="tt")["iso_utc"] == "2024-01-01 00:00:00.000"
    assert astro.when("1990-06-01")["tai_utc"] == 25.0


def test_when_names_the_bad_argument():
    with pytest.raises(ValueError, match=r"time: numeric time 60310 needs a format, e\.g\. format='jd'"):
        astro.when(60310)
    with pytest.raises(ValueError, match="time: cannot read 'yesterday'"):
        astro.when("yesterday")
    with pytest.raises(ValueError, match="scale: 'gmt'"):
        astro.when("2024-01-01", scale="gmt")
    with pytest.raises(ValueError, match="format: 'julian'"):
        astro.when(60310, format="julian")
    with pytest.raises(ValueError, match="one instant"):
        astro.when(["2024-01-01", "2024-01-02"])


# ---------------------------------------------------------------- catalog


def test_answer_helpers_come_first_in_the_catalog():
    assert [entry.name for entry in ENTRIES[:3]] == ["astro.cosmology_at", "astro.sky", "astro.when"]
    for entry in ENTRIES[:3]:
        assert "print it and read the row" in entry.purpose and entry.example.startswith("print(astro.")
    helpers = {f"astro.{name}" for name in ("cosmology_at", "sky", "when", "convert", "coord", "cosmology_summary")}
    assert helpers <= {entry.name for entry in ENTRIES}


@pytest.mark.parametrize(
    ("question", "helper"),
    [
        ("What is the luminosity distance at z = 0.7 in Planck18?", "astro.cosmology_at"),
        ("How old was the universe at redshift 2, and what is the lookback time?", "astro.cosmology_at"),
        ("What is the angular scale in kpc per arcsec at z=1.5?", "astro.cosmology_at"),
        ("Convert RA 10h45m03.59s, Dec -59d41m04.26s to galactic coordinates", "astro.sky"),
        ("What is the angular separation between 10.684 41.269 and 83.822 -5.391?", "astro.sky"),
        ("What is the MJD of 2024-01-01?", "astro.when"),
        ("What is the Julian date of 2024-03-20 12:00 UTC in TDB?", "astro.when"),
    ],
)
def test_questions_route_to_the_answer_helper_first(question, helper):
    assert select(load().entries, question)[0].name == helper


# ---------------------------------------------------------------- FITS and tables


def test_fits_image_round_trip_keeps_data_and_header(tmp_path):
    path = tmp_path / "image.fits"
    data = np.arange(12.0).reshape(3, 4)
    header = {"OBJECT": ("M31", "target name"), "EXPTIME": 30.0, "HISTORY": ["bias", "flat"]}
    assert astro.write_fits(path, data, header) == str(path)
    np.testing.assert_array_equal(astro.read_fits(path), data)
    cards = astro.fits_header(path)
    assert cards["OBJECT"] == "M31" and cards["EXPTIME"] == 30.0 and cards["HISTORY"] == ["bias", "flat"]
    assert (cards["NAXIS1"], cards["NAXIS2"]) == (4, 3)
    info = astro.fits_info(path)
    assert info[["index", "name", "type"]].values.tolist() == [[0, "PRIMARY", "PrimaryHDU"]]
    assert info["shape"][0] == (3, 4)


def test_fits_table_extension_keeps_units(tmp_path):
    path = tmp_path / "table.fits"
    astro.write_fits(path, QTable({"ra": [1.0, 2.0] * u.deg, "flux": [3.0, 4.0] * u.mJy}), {"TELESCOP": "VLT"})
    info = astro.fits_info(path)
    assert info["type"].tolist() == ["PrimaryHDU", "BinTableHDU"] and info["columns"][1] == ["ra", "flux"]
    table = astro.read_fits(path)
    assert table["flux"].unit == u.mJy and table["flux"].value.tolist() == [3.0, 4.0]
    assert astro.fits_header(path)["TELESCOP"] == "VLT"


def test_fits_errors_name_the_input(tmp_path):
    with pytest.raises(ValueError, match=r"missing\.fits"):
        astro.fits_header(tmp_path / "missing.fits")
    path = astro.write_fits(tmp_path / "one.fits", np.ones(2))
    with pytest.raises(ValueError, match="no HDU 3"):
        astro.fits_header(path, ext=3)
    with pytest.raises(ValueError, match="data: expected an array or a table"):
        astro.write_fits(tmp_path / "bad.fits", "pixels")


@pytest.mark.parametrize("suffix", [".ecsv", ".xml", ".fits"])
def test_table_round_trip_preserves_units(tmp_path, suffix):
    table = QTable({"name": ["a", "b"], "distance": [1.5, 2.5] * u.kpc, "flux": [0.1, 0.2] * u.Jy})
    path = astro.write_table(table, tmp_path / f"catalog{suffix}")
    back = astro.read_table(path)
    assert isinstance(back, QTable) and back.colnames == ["name", "distance", "flux"]
    assert back["distance"].unit == u.kpc and back["distance"].value.tolist() == [1.5, 2.5]
    assert back["flux"].unit == u.Jy and list(back["name"]) == ["a", "b"]


def test_tables_from_dataframes_and_csv_without_units(tmp_path):
    astro.write_table(pd.DataFrame({"x": [1, 2], "y": [3.5, 4.5]}), tmp_path / "frame.csv")
    back = astro.read_table(tmp_path / "frame.csv")
    assert back["y"].tolist() == [3.5, 4.5] and getattr(back["y"], "unit", None) is None
    with pytest.raises(ValueError, match="cannot tell the format"):
        astro.write_table({"x": [1]}, tmp_path / "table.weird")
    with pytest.raises(ValueError, match="no such file"):
        astro.read_table(tmp_path / "absent.ecsv")


# ---------------------------------------------------------------- observing

CANOPUS = "06h23m57.1s -52d41m44s"


def test_observability_of_a_bright_southern_star_from_paranal():
    night = astro.observability(CANOPUS, site="paranal", date="2024-01-15")
    table = night.table
    assert night.is_observable and night.note == ""
    # at transit the altitude is 90 - |latitude - declination|
    expected_max = 90 - abs(PARANAL_LAT - (-(52 + 41 / 60 + 44 / 3600)))
    assert night.max_altitude_deg == pytest.approx(expected_max, abs=0.3)
    assert night.min_airmass == pytest.approx(1 / np.sin(np.radians(night.max_altitude_deg)), rel=1e-3)
    assert (table["airmass"].dropna() >= 1).all()
    assert table["airmass"].isna().tolist() == (table["alt_deg"] <= 0).tolist()
    best = table.set_index("time_utc").loc[night.best_time]
    assert best["sun_alt_deg"] < -18 and best["alt_deg"] == pytest.approx(night.max_altitude_deg)
    assert table["sun_alt_deg"].iloc[0] > 60  # local noon in the southern summer
    assert 5 < night.hours_observable < 9


def test_observability_with_explicit_coordinates_matches_the_site_table():
    by_name = astro.observability(CANOPUS, site="VLT", date="2024-01-15")
    lat, lon, height = astro.OBSERVATORIES["paranal"]
    by_position = astro.observability(CANOPUS, lat, lon, height, "2024-01-15")
    pd.testing.assert_frame_equal(by_name.table, by_position.table)


def test_observability_of_a_star_that_never_rises_and_of_a_planet():
    polaris = astro.observability("02h31m49s +89d15m51s", site="paranal", date="2024-01-15")
    assert not polaris.is_observable and polaris.best_time is None and polaris.table["alt_deg"].max() < 0
    moon = astro.observability("moon", site="la silla", date="2024-01-15")
    assert len(moon.table) == 145 and moon.table["alt_deg"].between(-90, 90).all()


def test_observability_past_the_bundled_iers_table_still_works_and_says_so():
    night = astro.observability(CANOPUS, site="paranal", date="2035-01-15")
    assert night.is_observable and "IERS" in night.note and "extrapolated" in repr(night)


def test_observatory_table_and_bad_sites():
    assert astro.observatory("Roque de los Muchachos Observatory").lat.deg == pytest.approx(28.75833, abs=1e-4)
    assert astro.observatory("Mauna Kea").height.to_value(u.m) == pytest.approx(4160, abs=0.01)
    with pytest.raises(ValueError, match=r"'Hogwarts' is not a known observatory.*paranal"):
        astro.observability(CANOPUS, site="Hogwarts", date="2024-01-15")
    with pytest.raises(ValueError, match="site"):
        astro.observability(CANOPUS, date="2024-01-15")
    with pytest.raises(ValueError, match="not a place on Earth"):
        astro.observability(CANOPUS, 95.0, 0.0, date="2024-01-15")
