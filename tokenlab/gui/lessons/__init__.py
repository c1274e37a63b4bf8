"""The Lessons tab: guided, runnable auth lessons (tab, models, widgets). The lessons
themselves and their runner live in ``tokenlab.lessons`` (no Qt)."""
