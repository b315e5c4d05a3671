"""Which AMI events the daemon's session gets (AMI Filter actions, sent at every login).

Asterisk sends every event (VarSet, Newexten, RTCP...) unless told otherwise, and parsing them
would cost the daemon more CPU than the calls themselves.
"""

from __future__ import annotations

from hotline.asterisk.security_events import AUTH_FAILURE_EVENTS

# The only events the daemon reads.
_STATE_EVENTS = ("FullyBooted", "Shutdown", "ContactStatus")
_CALL_EVENTS = ("DialBegin", "Newstate", "DialEnd", "OriginateResponse", "Hangup")
EVENTS = (*_STATE_EVENTS, *_CALL_EVENTS, *AUTH_FAILURE_EVENTS)  # + failed SIP logins (auth_guard)
# ... and of those, not the caller's own Newstate and Hangup while its channel is in the inbound
# dialplan (dialplan/10-inbound.conf.j2): every inbound call sends both, and nothing reads them
# (the answer instant is the agent's leg, in its own context; the dialer watches its own calls).
INBOUND_CONTEXT = "hotline-inbound"
_NOT_READ = ("Newstate", "Hangup")


def filter_actions() -> list[dict[str, str]]:
    """The AMI Filter actions of the daemon's session, in order: the events it reads (by name,
    hashed), then those it does not read (advanced filters: Asterisk 21+)."""
    includes = [{"MatchCriteria": f"name({name})"} for name in EVENTS]
    excludes = [
        {
            "MatchCriteria": f"action(exclude),name({name}),header(Context),method(exact)",
            "Filter": INBOUND_CONTEXT,
        }
        for name in _NOT_READ
    ]
    return [{"Action": "Filter", "Operation": "Add", **f} for f in (*includes, *excludes)]


def legacy_filter_action() -> dict[str, str]:
    """Where Asterisk has no advanced filters: one regex of the event names (the callers' own
    Newstate and Hangup then come too)."""
    return {"Action": "Filter", "Operation": "Add", "Filter": f"Event: ({'|'.join(EVENTS)})"}
