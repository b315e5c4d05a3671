"""Self-service data for the IVR: outage notices and accounts in the call store's database.

`lookup(engine, kind, value, caller_number=, now=)` answers the IVR core's `Lookup` command;
`add_notice` / `import_accounts` write (the `hotline outage` / `hotline accounts` commands).
"""

from hotline.selfservice.account_import import (
    COLUMNS,
    AccountImportError,
    import_accounts,
    parse_accounts,
    upsert_accounts,
)
from hotline.selfservice.lookup import KINDS, UnknownLookupKind, lookup
from hotline.selfservice.models import NOTICE_KINDS, AccountRow, OutageNoticeRow
from hotline.selfservice.notices import NoticeError, add_notice
from hotline.selfservice.queries import HORIZON, account, list_notices, outages_for_area, outages_for_phone
from hotline.selfservice.records import Account, Notice

__all__ = [
    "COLUMNS",
    "HORIZON",
    "KINDS",
    "NOTICE_KINDS",
    "Account",
    "AccountImportError",
    "AccountRow",
    "Notice",
    "NoticeError",
    "OutageNoticeRow",
    "UnknownLookupKind",
    "account",
    "add_notice",
    "import_accounts",
    "list_notices",
    "lookup",
    "outages_for_area",
    "outages_for_phone",
    "parse_accounts",
    "upsert_accounts",
]
