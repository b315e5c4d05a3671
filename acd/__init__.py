"""The pure ACD core: trunk capacity, agents, waiting calls, routing, dialer, Erlang C (no I/O)."""
