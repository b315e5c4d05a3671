"""Call statistics and reports (接通率, service level, IVR use, agents, Erlang C staffing).

    period = parse_period(month="2026-11", tz=zone("Asia/Shanghai"))       # period.py
    stats = await compute_stats(engine, period, Thresholds(12.0, 5.0), agents)  # stats.py
    report = await build_report(engine, period, company="平安县", ...)       # report.py
    print_report(report, console) / render_html(report) / to_csv(report) / to_json(report)

Definitions of every figure: figures.py; CSV/JSON keys: export.py. All aggregation is SQL-side
and gives the same results on SQLite and PostgreSQL.
"""
