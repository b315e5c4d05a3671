"""sipp scenarios shipped with the lab (package data, see lab.sipp)."""
