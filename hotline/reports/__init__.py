"""Call statistics and reports (接通率, service level, IVR use, agents, Erlang C staffing).

    period = parse_period(month="2026-11", tz=zone("Asia/Shanghai"))       # period.py
    stats = await compute_stats(engine, period, Thresholds(12.0, 5.0), agents, now=now)  # stats.py
    report = await build_report(engine, period, company="平安县", now=now, ...)  # report.py
    print_report(report, console) / render_html(report) / to_csv(report) / to_json(report)

Definitions of every figure: figures.py (calls), pause.py (agents' logged-in and pause time);
CSV/JSON keys: export.py. Call figures are aggregated SQL-side; agent time is folded in Python
from the few state changes that start or end a pause or a logout (pause_query.py). Both give the
same results on SQLite and PostgreSQL. Months and years read whole UTC days from the report
rollup where it is current (rollup.py computes it with the same queries, rollup_read.py reads it,
rollup_job.py is the daemon's refresh; the triggers of migration 0012 mark changed days).
"""
