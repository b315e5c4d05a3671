"""Quality checks: each ISO week a few answered, recorded calls per agent are drawn (draw.py,
store.py), a supervisor listens and scores them on the configured checklist (scoring.py), and
the report shows the scores per agent (report_table.py)."""
