"""FastAGI: the wire protocol (quoting, replies), the per-call channel and the hardened server."""
