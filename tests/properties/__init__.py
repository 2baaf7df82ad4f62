"""Property tests of the exchange promises (issue 11, DESIGN.md section 5) on real
.cypdesk files: see partners.py for the files and test_merge_properties.py for the
promises."""
