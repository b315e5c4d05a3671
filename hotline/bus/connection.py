"""The bus's MQTT client: QoS 1 in flight per batch, no Nagle, a retained "offline" will."""

from __future__ import annotations

import socket

import aiomqtt

from hotline.settings import Mqtt

BATCH = 100  # messages in flight at once (QoS 1: each waits for the broker's PUBACK)


def make_client(
    cfg: Mqtt, *, client_id: str, persistent: bool, keepalive: int, timeout: float, status_topic: str
) -> aiomqtt.Client:
    """A client for `cfg`. `persistent`: a fixed client id and clean_session off, so messages the
    dispatch side sends with QoS 1 while we are away are kept for us by the broker."""
    client = aiomqtt.Client(
        cfg.host,
        cfg.port,
        identifier=client_id if persistent else None,
        clean_session=not persistent,
        username=cfg.username,
        password=cfg.password.get_secret_value() if cfg.password is not None else None,
        keepalive=keepalive,
        timeout=timeout,
        max_inflight_messages=BATCH,
        # without it Nagle + delayed ACKs cost ~40 ms per batch (2,000 events/s at best)
        socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
        will=aiomqtt.Will(status_topic, b"offline", qos=1, retain=True),
    )
    client.pending_calls_threshold = BATCH + 10  # else aiomqtt warns about every full batch
    return client
