"""Tests of retention_kit.clv, one file per module (a package, so its conftest is clv.conftest)."""
