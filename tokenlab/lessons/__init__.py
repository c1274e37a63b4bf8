"""Lessons: every auth concept as a runnable, self-checking lesson (no Qt).

A lesson is a TOML file (``resources/lessons/*.toml`` built in; instructors add their own in
``<data dir>/lessons`` or ``--lessons-dir``). ``model`` holds the typed lesson, ``loader`` reads
and validates files (a bad file gives a ``LessonFileError`` naming the file and field),
``runner`` runs a lesson's steps against a sandbox and reports each expectation as it is
observed. The CLI (``tokenlab lesson``) and the GUI's Lessons tab use the same runner.
"""
