"""Exceptions raised by the lab plumbing."""

from __future__ import annotations


class LabError(Exception):
    """The lab (chroot, Asterisk, sipp) could not do what was asked; the message says why."""


class LabTimeout(LabError, TimeoutError):
    """A lab wait ran past its deadline."""
