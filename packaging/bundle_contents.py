"""What the one-folder build leaves out (read by packaging/cypdesk.spec, checked by
tests/test_packaging.py): the modules PyInstaller is told not to follow (EXCLUDES) and
the collected files kept (:func:`wanted`). packaging/README.md says why, in short."""

from __future__ import annotations

from pathlib import Path

# Qt modules cypdesk does not use, and tools that only the tests need.
EXCLUDES = [
    *(
        f"PySide6.{module}"
        for module in (
            "QtQml", "QtQuick", "QtQuickWidgets", "QtQuickControls2", "QtQuickTest",
            "QtQuick3D", "QtWebEngineCore", "QtWebEngineWidgets", "QtWebEngineQuick",
            "QtWebChannel", "QtWebSockets", "QtWebView", "QtMultimedia",
            "QtMultimediaWidgets", "QtSpatialAudio", "QtTextToSpeech", "Qt3DCore",
            "Qt3DRender", "Qt3DInput", "Qt3DLogic", "Qt3DAnimation", "Qt3DExtras",
            "QtBluetooth", "QtNfc", "QtPositioning", "QtLocation", "QtSensors",
            "QtSerialPort", "QtSerialBus", "QtRemoteObjects", "QtScxml", "QtStateMachine",
            "QtCharts", "QtDataVisualization", "QtGraphs", "QtGraphsWidgets", "QtDesigner",
            "QtUiTools", "QtHelp", "QtTest", "QtSql", "QtOpenGL", "QtOpenGLWidgets",
            "QtPdf", "QtPdfWidgets", "QtHttpServer", "QtNetworkAuth", "QtAxContainer",
        )
    ),
    # Qt's network module: cypdesk never goes on the network (and its TLS and
    # network-information plugins go with it).
    "PySide6.QtNetwork",
    "tkinter",
    "PyQt5",
    "PyQt6",
    "PySide2",
    "IPython",
    "pytest",
    "pytestqt",
    "hypothesis",
    "importlinter",
    "grimp",
    # pandas', numpy's and matplotlib's optional extras and their own tests: cypdesk
    # reads spreadsheets with openpyxl and calamine and draws charts with Agg, PDF
    # and SVG, never through these.
    "pandas.tests", "numpy.tests", "numpy.f2py", "numpy.distutils", "matplotlib.tests",
    "matplotlib.testing", "pyarrow", "scipy", "numexpr", "bottleneck", "tables", "fsspec",
    "jinja2", "xlrd", "odf", "pyxlsb", "sqlalchemy.testing", "PIL.ImageTk", "PIL.ImageQt",
    *(
        f"matplotlib.backends.{backend}"
        for backend in (
            "backend_tkagg", "backend_tkcairo", "_backend_tk", "backend_gtk3agg", "backend_gtk3cairo",
            "backend_gtk4agg", "backend_gtk4cairo", "backend_wxagg", "backend_wxcairo", "backend_wx",
            "backend_macosx", "backend_webagg", "backend_webagg_core", "backend_nbagg", "backend_qt5agg",
            "backend_qt5cairo", "backend_qtcairo", "backend_cairo", "backend_pgf", "backend_ps",
        )
    ),
    "PIL.AvifImagePlugin", "PIL._avif",  # AVIF images: 5 MB of libraries
    # WebP images (libwebp, sharpyuv, mux, demux: 0.5 MB in the zip): no form, paper or
    # chart reads or writes WebP; PIL.WebPImagePlugin says "not supported" without it.
    "PIL._webp",
    # lxml's HTML tools, SAX bridge and element builder: python-docx and svglib use
    # lxml.etree only (only pandas.read_html, never called, would import lxml.html).
    "lxml.html", "lxml.sax", "lxml.builder", "lxml.objectify", "lxml.isoschematron", "lxml.cssselect",
    # pandas' plotting backend (cypdesk draws with matplotlib itself) and DataFrame.style
    # (needs jinja2, left out): both are imported only when called.
    "pandas.plotting._matplotlib", "pandas.io.formats.style", "pandas.io.formats.style_render",
    # Chinese, Japanese and Korean codecs: cypdesk reads text as UTF-8, UTF-16 or
    # Windows-1252 (cypdesk.io.workbook); another encoding asked for by name would be
    # "unknown encoding", not a crash.
    "_codecs_cn", "_codecs_hk", "_codecs_iso2022", "_codecs_jp", "_codecs_kr", "_codecs_tw", "_multibytecodec",
    "xmlrpc",  # XML-RPC client and server: nothing in cypdesk calls another program
    # matplotlib's Delaunay triangulation and triangle grids (tricontour, tripcolor):
    # imported only when a chart asks for them, and cypdesk's charts are bars and lines.
    "matplotlib._qhull", "matplotlib._tri",
    # numpy's FFT: numpy imports it only when numpy.fft is used, and nothing here does.
    "numpy.fft",
    # zstandard's CFFI backend: on CPython zstandard always loads its C backend.
    "zstandard.backend_cffi", "zstandard._cffi",
    # pandas' SAS reader (read_sas imports it when called; cypdesk never reads SAS).
    "pandas.io.sas.sas7bdat", "pandas._libs.sas", "pandas._libs.byteswap",
    # Qt's D-Bus classes for Python: cypdesk sends no D-Bus messages (Qt's own
    # libQt6DBus stays, for the desktop's menus and settings).
    "PySide6.QtDBus",
    # Process pools (cypdesk's background work runs on threads) and PyInstaller's
    # multiprocessing start-up hook with them; numpy's polynomial classes and Pillow's
    # colour management (LAB conversions, ICC transforms), imported only when used.
    "multiprocessing", "concurrent.futures.process", "numpy.polynomial", "PIL.ImageCms", "PIL._imagingcms",
    # Tools pulled in by optional imports of libraries (syntax colouring for Mako's
    # error pages, numpy's build report in YAML, the interactive help): never run.
    "pygments", "yaml", "pydoc", "pydoc_data", "doctest",
    "_pydecimal",  # decimal's pure-Python twin; the C module _decimal is used
    "mpl_toolkits",  # matplotlib's 3D axes

    # TLS: cypdesk never goes on the network (hashlib keeps Python's own SHA-256).
    "ssl", "_ssl", "_hashlib",
    "setuptools",
    "pkg_resources",
    "pip",
]


# Qt plugins that drag in QtQml/QtQuick (about 14 MB) for features a desktop form
# application does not use: the on-screen virtual keyboard and Lottie animations.
_UNUSED_PLUGINS = ("libqtvirtualkeyboardplugin", "qtvirtualkeyboardplugin", "libqlottievectorimage", "qlottievectorimage")
# Plugin folders for tools and features outside a desktop form application: QML
# tooling, Qt Designer, SQL drivers (cypdesk uses Python's sqlite3), Wayland compositors.
_UNUSED_PLUGIN_DIRS = (
    "qmltooling", "qmllint", "designer", "sqldrivers", "wayland-graphics-integration-server",
    "tls", "networkinformation", "vectorimageformats", "generic", "egldeviceintegrations",
    # Wayland: without these Qt runs through XWayland (xcb) on a Wayland desktop; they
    # and the desktop portal brought pango, cairo, gdk_pixbuf, gio... (packaging/slim.py
    # removes the libraries nothing else needs).
    "wayland-decoration-client", "wayland-graphics-integration-client", "wayland-shell-integration",
)
# Single plugins for kiosks, embedded boards, VNC and image formats a form never shows:
# Linux desktops use xcb or wayland (offscreen and minimal for tests and servers);
# Windows uses qwindows.
_UNUSED_PLUGIN_FILES = {
    "libqwayland", "libqxdgdesktopportal",
    "libqvnc", "libqlinuxfb", "libqeglfs", "libqminimalegl", "libqvkkhrdisplay", "qdirect2d",
    "libqicns", "libqtga", "libqtiff", "libqwbmp", "libqwebp", "qicns", "qtga", "qtiff", "qwbmp", "qwebp",
    # libQt6Network: only the VNC platform and the TUIO touch plugin (both left out) need it
    "libQt6Network", "Qt6Network",
    # GTK's look on Linux: needs GTK 3 installed, which a machine without it lacks anyway;
    # it brought 4 MB of cairo, pango and friends. Qt's own Fusion style is used instead.
    "libqgtk3",
}
# Libraries left to the system, as a pip-installed PySide6 leaves them (its wheels carry
# Qt and ICU, and expect these from the machine):
# - libcups, the client of the machine's print service, loaded only by Qt's CUPS print
#   plugin: a Linux desktop that prints has it (libcups2); one without a print service
#   has no printer to list, and without libcups the plugin does not load (Qt's print
#   dialog then offers printing to a PDF file only). Bundled, it brought gnutls, krb5,
#   avahi, nettle, unistring... (4.3 MB in the zip);
# - the X11 client libraries, fontconfig and FreeType, GLib and D-Bus: every X11
#   desktop has them (the window cannot open without an X server's libraries anyway),
#   and fontconfig bundled beside another version's configuration files is a known
#   source of font trouble; and zstd (Qt's core library needs it, as dpkg and
#   systemd do). With them went libsystemd, gcrypt, pcre2, lz4, png... (3 MB in the zip).
# packaging/slim.py removes what only these needed (unreachable from every program,
# extension module and plugin kept). Qt's xcb helper libraries (xcb-cursor, icccm,
# keysyms, image...) and xkbcommon stay: desktops often lack them (scripts/setup.sh).
_SYSTEM_LIBRARIES = (
    "libcups.so", "libX11.so", "libX11-xcb.so", "libxcb.so", "libfontconfig.so", "libfreetype.so",
    "libglib-2.0.so", "libgthread-2.0.so", "libdbus-1.so", "libzstd.so",
)
# babel's locale data: only the locales cypdesk formats for (English as in Britain, and
# Welsh) and the locales they inherit from; the other 1,100 files are 30 MB.
_BABEL_LOCALES = {"root", "en", "en_001", "en_GB", "cy", "cy_GB"}
_MPL_FONTS_IN_RESOURCES = {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf"}


def wanted(dest: str) -> bool:
    """Whether the file PyInstaller would put at ``dest`` (relative to ``_internal/``)
    goes into the bundle."""
    parts = Path(dest).parts
    if Path(dest).stem.startswith(_UNUSED_PLUGINS):
        return False
    if parts[:3] == ("PySide6", "Qt", "plugins") and len(parts) > 3 and parts[3] in _UNUSED_PLUGIN_DIRS:
        return False
    if Path(dest).name.split(".")[0] in _UNUSED_PLUGIN_FILES:  # the file, and any link to it
        return False
    if len(parts) == 1 and parts[0].startswith(_SYSTEM_LIBRARIES):
        return False
    if parts[:3] == ("PySide6", "Qt", "translations"):  # cypdesk's text is its own; Qt's dialogs stay English
        return False
    if parts[:2] == ("babel", "locale-data") and Path(dest).stem not in _BABEL_LOCALES:
        return False
    if parts[:3] == ("matplotlib", "mpl-data", "sample_data"):
        return False
    # matplotlib's own fonts: the charts use DejaVu Sans (cypdesk.io.charts.style); the
    # serif, monospaced and STIX faces are never asked for.
    if parts[:4] == ("matplotlib", "mpl-data", "fonts", "ttf") and Path(dest).name.startswith(
        ("DejaVuSerif", "DejaVuSansMono", "STIX", "cm")  # cm*: TeX's Computer Modern, for mathtext.fontset "cm"
    ):
        return False
    # DejaVu Sans itself: cypdesk.io.charts.style gives matplotlib the same faces from
    # resources/fonts (which the papers embed), so they ship once (1.4 MB in the zip).
    if parts[:4] == ("matplotlib", "mpl-data", "fonts", "ttf") and Path(dest).name in _MPL_FONTS_IN_RESOURCES:
        return False
    # PostScript metrics and the 14 PDF core fonts: only for the PS backend (left out) and
    # pdf.use14corefonts; cypdesk's PDF charts embed DejaVu Sans (pdf.fonttype 42).
    if parts[:4] in (("matplotlib", "mpl-data", "fonts", "afm"), ("matplotlib", "mpl-data", "fonts", "pdfcorefonts")):
        return False
    return True

