"""Masking for widgets (the View menu's "Mask secrets"): re-exports the pure helpers of
``tokenlab.core.masking`` for the GUI, so every tab masks the same way."""

from __future__ import annotations

from tokenlab.core.masking import MASK, mask_jwt, mask_secret, mask_text

__all__ = ["MASK", "mask_jwt", "mask_secret", "mask_text"]
