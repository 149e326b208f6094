"""Astronomy entries (``astro`` helpers and astropy entry points by their preamble names) and astropy 8 pitfalls.

Pure data: examples and triggers run only in the kernel (tests/test_catalog.py runs every one of them).
"""

from __future__ import annotations

from domain_tools.catalog import Entry, Hint

D = "astronomy"


def _k(words: str) -> tuple[str, ...]:
    """Keywords written as one comma-separated string."""
    return tuple(word.strip() for word in words.split(","))


ENTRIES: list[Entry] = [
    # ---- answer helpers first: one call prints every everyday quantity as a labelled row with its unit
    Entry(
        "astro.cosmology_at",
        "astro.cosmology_at(z, cosmology='Planck18')",
        "D_L, D_A, D_C, volume, age, lookback, H(z), kpc/arcsec, distmod: print it and read the row",
        "print(astro.cosmology_at(0.7))",
        D,
        _k(
            "redshift, cosmology, cosmological, luminosity distance, angular diameter, angular diameter distance, "
            "comoving, comoving distance, comoving volume, volume, lookback, lookback time, age, age of the universe, "
            "hubble parameter, hubble, h(z), e(z), distance modulus, kpc, arcsec, arcmin, angular scale, "
            "scale factor, planck18, planck, wmap9, wmap, z, mpc, gpc, gyr, how far, how long ago, ago, how old, "
            "light left, light leave"
        ),
    ),
    Entry(
        "astro.sky",
        "astro.sky(position, other=None)",
        "RA/Dec (deg, hms/dms), galactic l/b, FK5, ecliptic, separation to other: print it and read the row",
        'print(astro.sky("07h12m00s +30d30m00s"))',
        D,
        _k(
            "coordinate, coordinates, ra, dec, right ascension, declination, galactic, galactic latitude, "
            "galactic longitude, galactic coordinates, ecliptic, fk5, icrs, j2000, hms, dms, sexagesimal, degrees, "
            "separation, angular separation, angular distance, position angle, apart, sky position, skycoord"
        ),
    ),
    Entry(
        "astro.when",
        "astro.when(time, format=None)",
        "UTC, JD, MJD, TAI, TT, TDB, leap seconds, Unix, decimal year, day of year: print it and read the row",
        'print(astro.when("2024-01-01"))',
        D,
        _k(
            "date, time, julian date, julian day, jd, mjd, modified julian, utc, tai, tt, tdb, leap second, "
            "leap seconds, unix, unix time, timestamp, decimal year, day of year, day of the week, weekday, epoch, "
            "time scale, iso, terrestrial time, barycentric"
        ),
    ),
    # ---- the other astro helpers
    Entry(
        "astro.convert",
        "astro.convert(value, from_unit, to_unit, rest=) / convert('500 nm', 'THz')",
        "units incl. nm<->THz, parallax, °C, Doppler (auto equivalency)",
        'print(astro.convert("500 nm", "THz"))',
        D,
        _k(
            "convert, conversion, wavelength, frequency, photon energy, photon, nm, thz, ghz, mhz, ev, kev, "
            "angstrom, micron, parallax, kelvin, celsius, fahrenheit, doppler, velocity, flux density, jansky, jy, "
            "ab magnitude, rest frequency"
        ),
    ),
    Entry(
        "astro.coord",
        "astro.coord(ra, dec=None, frame='icrs')",
        "SkyCoord from '10h41m04.5s +41d16m09s', '10:41:04 +41:16:09', degrees",
        'print(astro.coord("10:41:04.5 +41:16:09"))',
        D,
        _k(
            "coordinate, coordinates, ra, dec, right ascension, declination, sexagesimal, hms, dms, sky position, "
            "skycoord"
        ),
    ),
    Entry(
        "astro.to_frame",
        "astro.to_frame(c, frame)",
        "transform to 'galactic', 'fk5', 'icrs', 'ecliptic'",
        'print(astro.to_frame((10.684, 41.269), "galactic"))',
        D,
        _k(
            "galactic, ecliptic, fk5, fk4, icrs, reference frame, coordinate frame, supergalactic, equatorial, "
            "galactic latitude, galactic longitude"
        ),
    ),
    Entry(
        "astro.separation",
        "astro.separation(a, b, unit='deg')",
        "angle between two sky positions",
        "print(astro.separation((10.684, 41.269), (83.822, -5.391)))",
        D,
        _k("separation, angular distance, angular separation, apart, arcsec, arcmin"),
    ),
    Entry(
        "astro.crossmatch",
        "astro.crossmatch(a, b, max_sep_arcsec=1)",
        "nearest matches: index_a, index_b, sep_arcsec",
        "print(astro.crossmatch([(10, 0)], [(10, 0.0001), (50, 1)]))",
        D,
        _k("crossmatch, cross match, counterpart, counterparts, catalog, catalogue, catalogs"),
    ),
    Entry(
        "astro.cosmology_summary",
        "astro.cosmology_summary(z, cosmo='Planck18')",
        "D_L, D_C, D_A (Mpc), age, lookback (Gyr), kpc/arcsec, distmod",
        "print(astro.cosmology_summary(1.0))",
        D,
        _k(
            "redshift, cosmology, cosmological, luminosity distance, comoving, angular diameter, lookback, "
            "age of the universe, distance modulus, kpc, angular scale, planck18, wmap, z"
        ),
    ),
    Entry(
        "astro.convert_time",
        "astro.convert_time(value, to_scale, to_format, from_format=)",
        "utc/tai/tt/tdb/ut1; jd/mjd/iso/unix",
        'print(astro.convert_time("2024-01-01", to_format="jd"))',
        D,
        _k("julian date, jd, mjd, modified julian, utc, tai, tt, tdb, ut1, unix time, time scale, epoch, decimal year"),
    ),
    Entry(
        "astro.leap_seconds",
        "astro.leap_seconds(date) -> Quantity",
        "TAI - UTC at a date (bundled leap-second table)",
        'print(astro.leap_seconds("2024-01-01"))',
        D,
        _k("leap second, leap seconds, tai, utc, tai minus utc"),
    ),
    Entry(
        "astro.write_fits",
        "astro.write_fits(path, data, header=dict)",
        "image array or table to FITS (overwrites)",
        'print(astro.write_fits("w.fits", np.zeros(3), {"OBJECT": "M31"}))',
        D,
        _k("fits, fits file, write fits, save fits, hdu"),
    ),
    Entry(
        "astro.fits_header",
        "astro.fits_header(path, ext=0) -> dict",
        "header as a dict",
        'astro.write_fits("h.fits", np.ones(3), {"EXPTIME": 30}); print(astro.fits_header("h.fits"))',
        D,
        _k("fits, fits header, keyword, card, exptime, exposure time"),
    ),
    Entry(
        "astro.fits_info",
        "astro.fits_info(path) -> DataFrame",
        "HDU list: name, type, shape, columns",
        'astro.write_fits("i.fits", np.ones(2)); print(astro.fits_info("i.fits"))',
        D,
        _k("fits, hdu, hdus, fits extension, extensions"),
    ),
    Entry(
        "astro.read_fits",
        "astro.read_fits(path, ext=None)",
        "ndarray (image) or QTable (table HDU)",
        'astro.write_fits("r.fits", np.eye(2)); print(astro.read_fits("r.fits"))',
        D,
        _k("fits, read fits, fits image, pixel, pixels, hdu"),
    ),
    Entry(
        "astro.read_table",
        "astro.read_table(path, format=None)",
        "ECSV/CSV/VOTable/FITS to QTable",
        'astro.write_table({"d": [1] * u.pc}, "t.ecsv"); print(astro.read_table("t.ecsv"))',
        D,
        _k("ecsv, votable, vot, qtable, fits table, astropy table"),
    ),
    Entry(
        "astro.write_table",
        "astro.write_table(table, path, format=None)",
        "QTable/DataFrame/dict; ECSV/VOTable/FITS keep units",
        'print(astro.write_table({"f": [1.0] * u.mJy}, "f.ecsv"))',
        D,
        _k("ecsv, votable, qtable, fits table, astropy table, write table"),
    ),
    Entry(
        "astro.observability",
        "astro.observability(target, site=, date=)",
        ".table, .is_observable, .best_time",
        'print(astro.observability("83.8 -5.4", site="paranal", date="2024-01-15"))',
        D,
        _k(
            "observable, observability, altitude, airmass, azimuth, visible from, rise, rises, night, tonight, "
            "best time, above the horizon, transit, elevation, telescope"
        ),
    ),
    Entry(
        "astro.observatory",
        "astro.observatory(name) -> EarthLocation",
        "offline site location (astro.OBSERVATORIES)",
        'print(astro.observatory("mauna kea").geodetic)',
        D,
        _k(
            "observatory, observatories, latitude, longitude, paranal, mauna kea, la silla, kitt peak, la palma, "
            "greenwich, telescope, earthlocation"
        ),
    ),
    # ---- astropy entry points (preamble names)
    Entry(
        "u.Quantity.to",
        "q.to(unit, equivalencies=[])",
        "convert a Quantity (number*unit)",
        "print((30 * u.km / u.s).to(u.pc / u.Myr))",
        D,
        _k(
            "unit, units, quantity, km, pc, parsec, astronomical unit, light year, light years, solar mass, msun, "
            "convert"
        ),
    ),
    Entry(
        "u.Quantity.to_value",
        "q.to_value(unit) -> float",
        "plain number from a Quantity (float(q) fails with units)",
        "print((1 * u.au).to_value(u.km))",
        D,
        _k("strip units, unitless, dimensionless, float"),
    ),
    Entry(
        "u.spectral",
        "u.spectral()",
        "equivalency wavelength <-> frequency <-> photon energy",
        "print((21 * u.cm).to(u.GHz, equivalencies=u.spectral()))",
        D,
        _k("wavelength, frequency, photon energy, spectral, hz, ghz, ev, nm, 21 cm"),
    ),
    Entry(
        "u.parallax",
        "u.parallax()",
        "equivalency parallax angle <-> distance",
        "print((10 * u.mas).to(u.pc, equivalencies=u.parallax()))",
        D,
        _k("parallax, mas, milliarcsecond, parsec, gaia, distance to"),
    ),
    Entry(
        "u.doppler_radio",
        "u.doppler_radio(rest), u.doppler_optical(rest)",
        "velocity <-> frequency/wavelength",
        "print((1421 * u.MHz).to(u.km / u.s, u.doppler_radio(1420.4 * u.MHz)))",
        D,
        _k("doppler, radial velocity, velocity, rest frequency, rest wavelength, blueshift, recession velocity"),
    ),
    Entry(
        "u.temperature",
        "u.temperature()",
        "equivalency K <-> deg_C (u.temperature_energy: K <-> eV)",
        "print((25 * u.deg_C).to(u.K, equivalencies=u.temperature()))",
        D,
        _k("celsius, kelvin, fahrenheit, degrees c"),
    ),
    Entry(
        "SkyCoord",
        "SkyCoord(ra, dec, unit='deg', frame='icrs')",
        "sky position; hh:mm:ss needs hourangle",
        'print(SkyCoord("10:41:04 +41:16:09", unit=(u.hourangle, u.deg)))',
        D,
        _k("coordinate, coordinates, ra, dec, skycoord, right ascension, declination, hourangle"),
    ),
    Entry(
        "SkyCoord.separation",
        "c1.separation(c2) -> Angle",
        "angular separation (.deg, .arcsec)",
        'a, b = SkyCoord([10.7, 83.8], [41.3, -5.4], unit="deg"); print(a.separation(b).deg)',
        D,
        _k("separation, angular distance, angular separation, apart"),
    ),
    Entry(
        "SkyCoord.transform_to",
        "c.transform_to('galactic') / c.galactic / c.fk5",
        "change frame",
        'print(SkyCoord(10.684, 41.269, unit="deg").transform_to("galactic"))',
        D,
        _k("galactic, fk5, ecliptic, galactic coordinates, reference frame, coordinate frame"),
    ),
    Entry(
        "Planck18.luminosity_distance",
        "Planck18.luminosity_distance(z) (z positional)",
        "luminosity distance, Mpc",
        "print(Planck18.luminosity_distance(1.0))",
        D,
        _k("luminosity distance, redshift, cosmology, z, how far"),
    ),
    Entry(
        "Planck18.age",
        "Planck18.age(z), Planck18.lookback_time(z)",
        "cosmic age / lookback time, Gyr",
        "print(Planck18.age(0), Planck18.lookback_time(1))",
        D,
        _k("age, age of the universe, lookback, lookback time, redshift, gyr"),
    ),
    Entry(
        "Planck18.comoving_distance",
        "Planck18.comoving_distance(z), .angular_diameter_distance(z)",
        "distances, Mpc",
        "print(Planck18.comoving_distance(2), Planck18.angular_diameter_distance(2))",
        D,
        _k("comoving, angular diameter, redshift, mpc"),
    ),
    Entry(
        "Planck18.H",
        "Planck18.H0, .H(z), .Om0, .kpc_proper_per_arcmin(z)",
        "Hubble parameter, density, angular scale",
        "print(Planck18.H0, Planck18.H(1), Planck18.Om0)",
        D,
        _k("hubble, hubble constant, h0, hubble parameter, omega, matter density, expansion rate"),
    ),
    Entry(
        "Time",
        "Time(value, format=, scale='utc')",
        "instant; numbers need format='jd'|'mjd'|'unix'",
        'print(Time(60310, format="mjd").iso, Time("2024-01-01").jd)',
        D,
        _k("date, julian date, jd, mjd, utc, iso, epoch, astropy time"),
    ),
    Entry(
        "Time.jd",
        "t.jd, t.mjd, t.iso, t.unix, t.decimalyear",
        "time in another format",
        't = Time("2024-01-01T00:00:00"); print(t.jd, t.mjd, t.unix)',
        D,
        _k("julian date, jd, mjd, modified julian, unix time, decimal year"),
    ),
    Entry(
        "Time.tai",
        "t.tai, t.tt, t.tdb (t.ut1 needs IERS)",
        "same instant in another time scale",
        't = Time("2024-01-01"); print(t.tai.iso, t.tt.iso, t.tdb.iso)',
        D,
        _k("tai, tt, tdb, terrestrial time, barycentric, time scale, atomic time"),
    ),
    Entry(
        "const.c",
        "const.c, const.h, const.k_B, const.sigma_sb",
        "physical constants as Quantities",
        "print(const.c.to(u.km / u.s), const.h, const.k_B)",
        D,
        _k("speed of light, constants, physical constant, planck constant, boltzmann, stefan"),
    ),
    Entry(
        "const.G",
        "const.G, const.M_sun, const.R_sun, const.L_sun, const.au",
        "gravity and solar constants",
        "print(const.G, const.M_sun, const.R_sun)",
        D,
        _k(
            "gravitational constant, gravity, solar mass, sun, solar radius, solar luminosity, kepler, orbit, "
            "escape velocity"
        ),
    ),
]

HINTS: list[Hint] = [
    Hint(
        error=r"'(?:Unit|IrreducibleUnit|PrefixUnit)' object has no attribute",
        code=r"from astropy\.units import[^\n]*\bu\b",
        text=(
            "`from astropy.units import u` binds the atomic mass unit, not the units module: run "
            "`import astropy.units as u` and never import u again."
        ),
        # in a function, so the shared test kernel's own u stays the units module
        trigger="def wrong_units():\n    from astropy.units import u\n    return u.nm\nwrong_units()",
        domain=D,
    ),
    Hint(
        error=r"No module named 'scipy'",
        text="astropy.cosmology needs scipy, which sciwand installs: this environment is broken; tell the user.",
        trigger="",
        example="ModuleNotFoundError: No module named 'scipy'",
        domain=D,
    ),
    Hint(
        error=r"interpolating from IERS_Auto using predictive values|outside of range covered by IERS|IERSRangeError",
        text=(
            "Offline, IERS tables are bundled only: from astropy.utils import iers; "
            "with iers.conf.set_temp('auto_max_age', None): ... (or astro.observability / astro.convert_time)."
        ),
        # auto_max_age pinned so the trigger fails whatever the age of the installed astropy-iers-data
        trigger=(
            'from astropy.utils import iers\nwith iers.conf.set_temp("auto_max_age", 1):\n    Time("2100-01-01").ut1'
        ),
        domain=D,
    ),
    Hint(
        error=r"UnitConversionError: .* are not convertible",
        text=(
            "Pass an equivalency: q.to(u.THz, equivalencies=u.spectral()) (or u.parallax(), u.temperature(), "
            "u.doppler_radio(rest)), or astro.convert('500 nm', 'THz')."
        ),
        trigger="(500 * u.nm).to(u.THz)",
        domain=D,
    ),
    Hint(
        error=r"only dimensionless scalar quantities can be converted to Python scalars",
        text="float(quantity) needs a dimensionless value: use q.value or q.to_value(u.km).",
        trigger="float(3 * u.m)",
        domain=D,
    ),
    Hint(
        error=r"positional-only arguments passed as keyword arguments",
        text=(
            "Redshift is positional-only in astropy 8: Planck18.luminosity_distance(1), not (z=1); "
            "print(astro.cosmology_at(1)) shows every distance and time at z."
        ),
        trigger="Planck18.luminosity_distance(z=1)",
        code=r"\bz\s*=",
        domain=D,
    ),
    Hint(
        error=r"cannot import name 'get_moon'",
        text="get_moon was removed: from astropy.coordinates import get_body; get_body('moon', Time(...), location).",
        trigger="from astropy.coordinates import get_moon",
        domain=D,
    ),
    Hint(
        error=r"NameResolveError|Sesame",
        text=("No network for SkyCoord.from_name: type the coordinates, e.g. astro.coord('07h12m00s +30d30m00s')."),
        trigger='SkyCoord.from_name("M31")',
        domain=D,
    ),
    Hint(
        error=r"sites\.json|UnknownSiteException",
        text=(
            "EarthLocation.of_site needs the network: use astro.observatory('paranal') or "
            "EarthLocation(lat=..*u.deg, lon=..*u.deg, height=..*u.m)."
        ),
        trigger='from astropy.coordinates import EarthLocation\nEarthLocation.of_site("paranal")',
        domain=D,
    ),
    Hint(
        error=r"unexpected keyword argument 'iters'",
        text="sigma_clip's iters was renamed: sigma_clip(data, sigma=3, maxiters=5).",
        trigger="from astropy.stats import sigma_clip\nsigma_clip(np.arange(10.0), iters=3)",
        code=r"sigma_clip",
        domain=D,
    ),
    Hint(
        error=r"unexpected keyword argument 'clobber'",
        text="clobber was removed: use writeto(path, overwrite=True), or astro.write_fits(path, data, header).",
        trigger='from astropy.io import fits\nfits.PrimaryHDU(np.zeros(2)).writeto("c.fits", clobber=True)',
        domain=D,
    ),
    Hint(
        error=r"Input values did not match any of the formats where the format keyword is optional",
        text=(
            "Give numeric times a format: Time(60310, format='mjd'), Time(2460310.5, format='jd'); "
            "print(astro.when(60310, format='mjd')) shows it in every scale."
        ),
        trigger="Time(60310.0)",
        domain=D,
    ),
    Hint(
        error=r"Cannot parse first argument data|Longitude instances require units",
        text=(
            "Give SkyCoord units: SkyCoord('10:41:04.5 +41:16:09', unit=(u.hourangle, u.deg)), or "
            "print(astro.sky('10:41:04.5 +41:16:09')) for every frame."
        ),
        trigger='SkyCoord("10:41:04.5 +41:16:09")',
        domain=D,
    ),
    Hint(
        error=r"Format could not be identified based on the file name or contents",
        text="Name the format: Table.read(path, format='ascii.csv'|'votable'|'ascii.ecsv'), or astro.read_table.",
        trigger=('from astropy.table import Table\nopen("t.dat", "w").write("a b\\n1 2\\n")\nTable.read("t.dat")'),
        domain=D,
    ),
]
