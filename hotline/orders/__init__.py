"""Work orders (工单) made at the agent desk: fault repairs, complaints and reports, with history.

The service API (each change writes its `work_order_history` row in the same transaction; bad
input or a state that forbids the change raises an `OrderError`, a ValueError, and changes nothing):

    create_repair(engine, settings, publisher, request, actor, now) -> (WorkOrder, merged)
    create_complaint(engine, settings, request, actor, now) -> WorkOrder
    answer_order(engine, number, actor, note, now) -> WorkOrder
    close_order(engine, number, actor, note, now, schedule_followup, *, closed_at=None) -> WorkOrder
    open_orders_of_caller(engine, number) -> list[WorkOrder]
    list_orders(engine, now, OrderFilter(status, kind, overdue, limit)) -> list[WorkOrder]
    order_detail(engine, number) -> OrderDetail (the order and its history)

Rules: due dates in due_dates.py, merging in merging.py, numbers in numbering.py, the MQTT
messages in publishing.py (out) and order_closed.py (in), the follow-up call in followup.py.
"""

from hotline.orders.create import create_complaint, create_repair
from hotline.orders.errors import OrderError, OrderInputError, OrderNotFound, OrderStateError
from hotline.orders.followup import FollowupScheduler, stored_scheduler
from hotline.orders.intake import ComplaintRequest, RepairRequest
from hotline.orders.lifecycle import answer_order, close_order
from hotline.orders.publishing import DispatchPublisher, republish_unconfirmed
from hotline.orders.queries import OrderFilter, list_orders, open_orders_of_caller, order_detail
from hotline.orders.records import HistoryEntry, OrderDetail, WorkOrder

__all__ = [
    "ComplaintRequest",
    "DispatchPublisher",
    "FollowupScheduler",
    "HistoryEntry",
    "OrderDetail",
    "OrderError",
    "OrderFilter",
    "OrderInputError",
    "OrderNotFound",
    "OrderStateError",
    "RepairRequest",
    "WorkOrder",
    "answer_order",
    "close_order",
    "create_complaint",
    "create_repair",
    "list_orders",
    "open_orders_of_caller",
    "order_detail",
    "republish_unconfirmed",
    "stored_scheduler",
]
