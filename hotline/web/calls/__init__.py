"""Calls and recordings in the console (supervisors, admins): the search (search.py), a call's
timeline (timeline.py), its recordings streamed with range requests (recording.py), routes.py."""
