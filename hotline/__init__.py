"""The hotline daemon: adapters (FastAGI, AMI, SQL, MQTT), call sessions, CLI."""
