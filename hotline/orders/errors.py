"""What the order functions raise: one ValueError family whose message the desk, the console
pages, the CLI and the MQTT handler show as it is (Chinese first, the detail after)."""

from __future__ import annotations


class OrderError(ValueError):
    """An order request that cannot be done; nothing was changed."""


class OrderInputError(OrderError):
    """Bad fields of a new order or of an answer / close (every problem in the message)."""


class OrderNotFound(OrderError):
    def __init__(self, number: str) -> None:
        self.number = number
        super().__init__(f"工单 {number} 不存在 (no such order)")


class OrderStateError(OrderError):
    """The order is not in a state that allows it (answering a closed order, closing it twice)."""
