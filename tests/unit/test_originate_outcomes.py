"""How an AMI Originate's answer and the channel's hang-up cause become an attempt result."""

import pytest

from hotline.asterisk.originate import channel_id, originate_action, outcome_of
from hotline.settings import Settings

QUEUED = {"Response": "Success", "Message": "Originate successfully queued"}


def final(response: str, reason: str) -> list:
    return [QUEUED, {"Event": "OriginateResponse", "Response": response, "Reason": reason}]


@pytest.mark.parametrize(
    "reason,cause,result",
    [
        ("4", None, "answered"),
        ("3", None, "no_answer"),
        ("5", None, "busy"),
        ("0", "17", "busy"),
        ("0", "21", "rejected"),
        ("0", "19", "no_answer"),
        ("1", None, "rejected"),
        ("8", None, "failed"),
        ("0", "3", "failed"),
        ("0", None, "failed"),
    ],
)
def test_results(reason, cause, result):
    resp = final("Success" if reason == "4" else "Failure", reason)
    assert outcome_of(resp, cause).result == result


def test_a_refused_action_is_a_failure_with_asterisks_message():
    got = outcome_of({"Response": "Error", "Message": "Permission denied"})
    assert got.result == "failed" and "Permission denied" in got.reason


def test_the_action_names_the_job_and_caps_the_ring_time():
    s = Settings.model_validate({"company": "X", "outbound": {"ring_seconds": 25}})
    action = originate_action(s, number="13800001111", job_id="a" * 32, attempt=2)
    assert action["Channel"] == "PJSIP/13800001111@outbound-trunk"
    assert action["Timeout"] == "25000" and action["Async"] == "true"
    assert action["ChannelId"] == channel_id("a" * 32, 2)
    assert f"HOTLINE_JOB={'a' * 32}" in action["Variable"] and "HOTLINE_ATTEMPT=2" in action["Variable"]
