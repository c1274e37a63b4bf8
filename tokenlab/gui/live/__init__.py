"""The Live feature: named realtime connections, their timeline, event log and details.

``tab`` composes the page; ``session`` runs its jobs; ``log_store`` keeps the event log
compactly and ``log_model``/``event_log`` show it; ``timeline_*`` draw the lanes;
``details`` explains one event; ``revoke_plan`` says what Revoke will do;
``connections``/``connection_editor``/``connection_list`` define and list the connections;
``channel_panel``/``messages`` use channels. What every view says about an event kind comes
from ``tokenlab.realtime.kinds``.
"""
