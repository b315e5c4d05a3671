"""Live events on MQTT (`EventBus`) and the dispatch side's outage notices (`OutageNotice`)."""

from hotline.bus.dispatch import OutageHandler
from hotline.bus.event_bus import EVENT_KINDS, EventBus
from hotline.bus.outage_message import OutageMessageError, OutageNotice, parse_outage

__all__ = ["EVENT_KINDS", "EventBus", "OutageHandler", "OutageMessageError", "OutageNotice", "parse_outage"]
