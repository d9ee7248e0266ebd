"""Notifications: per-organization settings, opt-outs, and the delivery ledger (exactly once per
recipient, kind and period)."""
