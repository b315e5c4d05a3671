"""The lists the desk's forms offer: the center's agent categories (configured), order kinds and
fault types (their labels are the work orders' own)."""

from __future__ import annotations

from hotline.orders.records import FAULT_LABELS, KIND_LABELS
from hotline.settings import Settings


def form_choices(settings: Settings) -> dict[str, list[tuple[str, str]]]:
    return {
        "categories": list(settings.categories.agent_categories.items()),
        "order_kinds": list(KIND_LABELS.items()),
        "fault_types": list(FAULT_LABELS.items()),
    }
