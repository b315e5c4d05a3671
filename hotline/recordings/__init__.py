"""Call recordings as files: where a stored path is on this host (paths.py), which recordings a
call has (sources.py), and when they expire (retention_rules.py)."""
