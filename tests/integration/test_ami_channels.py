"""AmiClient.live_channels: AMI CoreShowChannels against a loopback AMI server."""

from __future__ import annotations

import pytest
from fake_ami import FakeAmi

from hotline.asterisk.ami import AmiClient, AmiError
from hotline.settings import Ami


def client_for(server: FakeAmi) -> AmiClient:
    return AmiClient(
        Ami(
            host="127.0.0.1", port=server.port, username="hotline", secret="s3cret", reconnect_max_seconds=0.4
        )
    )


async def test_live_channels_lists_uniqueids_and_fails_clearly():
    server = FakeAmi(contacts=["1001"], channels=["1700000000.1", "1700000000.2"])
    await server.start()
    ami = client_for(server)
    with pytest.raises(AmiError, match="not connected"):
        await ami.live_channels()
    ami.start()
    try:
        await ami.wait_connected(5)
        assert await ami.live_channels() == {"1700000000.1", "1700000000.2"}
        server.channels = []
        assert await ami.live_channels() == set()
        server.ignore = {"coreshowchannels"}
        with pytest.raises(AmiError, match="CoreShowChannels"):
            await ami.live_channels(timeout=0.2)
    finally:
        ami.close()
        await server.stop()
