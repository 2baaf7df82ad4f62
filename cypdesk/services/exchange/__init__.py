"""Exchange between partners: merging a partner's file into this document and sharing
a copy with a partner (issue 11).

The rules the whole design rests on (the contract of issue 11, section 0):

- **Versions.** Every stamp is an HLC string (``common/hlc.py``): it sorts in time
  order and its last 32 hex digits are the installation (node) that made it. The
  version of a field is its ``field_versions.hlc``, else its record's ``created_hlc``.
  The document's settings are versioned as table ``"document"``, record
  ``"settings"``; a setting with no row has version ``hlc.ZERO``.
- **What a file has seen** is a version vector: for each node, the greatest stamp of
  that node anywhere in the file's history. "A has seen s" is ``vv_A[node(s)] >= s``.
  Plain copies of one file share their vector, so copies and three-way exchanges find
  their common state with no reference to document ids. Known limit: one installation
  editing two copies of one file in parallel makes its own edits look seen; the
  later-clock rule still converges.
- **Per field:** equal values: nothing to do. Theirs not seen by us and ours seen by
  them: take theirs. Ours not seen by them: keep ours. Neither seen by the other: a
  conflict, which the deterministic rule resolves by the later stamp (the node breaks
  ties). Equal stamps with different values: keep ours, no conflict.
- **Records:** a record only in theirs and not tombstoned here is added; a record only
  here is kept (absence never deletes; only tombstones do). A tombstone against a live
  record: if the deleting side had seen the record's latest change, the deletion wins;
  otherwise a ``delete_edit`` conflict (edit later: kept and flagged; earlier: the
  deletion wins and the edit stays in history). A restore re-creates the record with
  a new stamp later than its tombstone and so beats a stale tombstone.
- **Model rules** (commissioners' shares total 100%, no team reporting loops, no
  reference to a record that no longer exists): a merge that would break one is a
  ``rule`` conflict and keeps ours for every record involved.
- **Withheld fields** of a share are never taken from a file that withholds them
  unless that file's version of the field is later than the withheld stamp.
- **Organisations merged**: references in rows taken from theirs go through
  ``organisation_redirects``.
- The document's own ``id`` and ``owner_org_id`` never merge.

Modules: ``canon`` (same content), ``plan`` (what a merge would do), ``apply`` (doing
it), ``rules`` (model rules), ``intake`` (reading a partner file as untrusted) and
``share`` (the share copy).
"""
