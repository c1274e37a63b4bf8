"""The Live tab moved to the feature package ``tokenlab.gui.live`` (``live/tab.py``).

This name stays importable for code written against the old layout (branches in flight);
new code imports ``tokenlab.gui.live.tab``.
"""

from tokenlab.gui.live.tab import TAB, LiveTab

__all__ = ["TAB", "LiveTab"]
