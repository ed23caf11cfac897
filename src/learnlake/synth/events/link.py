"""Link clicks in the LMS pages (browser): `edx.ui.lms.link_clicked`."""

from __future__ import annotations

from learnlake.synth.events.common import Event, Who, browser_event, lms_json


def link_clicked(who: Who, t: str, current_url: str, target_url: str, referer: str) -> Event:
    """A link on `current_url` (course home, outline, a unit) was followed to `target_url`."""
    payload = lms_json({"current_url": current_url, "target_url": target_url})
    return browser_event(who, "edx.ui.lms.link_clicked", t, payload, current_url, referer)
