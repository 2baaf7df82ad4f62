"""cypdesk: planning and commissioning for children's trusts, in one document file.

Name, organisation and version live here once: QSettings, the About box, the
command line and the PyInstaller spec all read them.
"""

APP_NAME = "cypdesk"
APP_DISPLAY_NAME = "cypdesk"
ORG_NAME = "cypdesk"
ORG_DOMAIN = "cypdesk.org.uk"
__version__ = "0.1.0"
