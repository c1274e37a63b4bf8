"""The Live feature: named realtime connections, their timeline, event log and details.

``tab`` composes the page; ``session`` runs its jobs; ``records``/``packing``/``log_model``
store and show the event log; ``timeline_*`` draw the lanes; ``details`` explains one event;
``connections``/``connection_editor``/``connection_list`` define and list the connections;
``channel_panel``/``messages`` use channels. What every view says about an event kind comes
from ``tokenlab.realtime.kinds``.
"""
