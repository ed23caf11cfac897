"""Courseware navigation events (browser): outline clicks and moves between units of a sequence."""

from __future__ import annotations

from learnlake.synth.events.common import Event, Who, browser_event, lms_json


def outline_selected(
    who: Who, t: str, current_url: str, target_name: str, target_url: str, in_sequence: bool = False
) -> Event:
    """A subsection was picked in the course outline (`in_sequence`: from the unit's sidebar)."""
    name = "edx.ui.lms.sequence.outline.selected" if in_sequence else "edx.ui.lms.outline.selected"
    payload = lms_json(
        {
            "current_url": current_url,
            "target_name": target_name,
            "target_url": target_url,
            "widget_placement": "accordion",
        }
    )
    return browser_event(who, name, t, payload, current_url, current_url)


def _sequence(
    who: Who, name: str, t: str, seq_key: str, current_tab: int, tab_count: int, page: str
) -> Event:
    payload = (
        f'{{"current_tab": {current_tab}, "id": "{seq_key}", "tab_count": {tab_count}, '
        f'"widget_placement": "top"}}'
    )
    return browser_event(who, name, t, payload, page, page)


def next_selected(who: Who, t: str, seq_key: str, current_tab: int, tab_count: int, page: str) -> Event:
    """The "next" arrow of a sequence (tabs count from 1)."""
    return _sequence(who, "edx.ui.lms.sequence.next_selected", t, seq_key, current_tab, tab_count, page)


def previous_selected(who: Who, t: str, seq_key: str, current_tab: int, tab_count: int, page: str) -> Event:
    """The "previous" arrow of a sequence."""
    return _sequence(who, "edx.ui.lms.sequence.previous_selected", t, seq_key, current_tab, tab_count, page)


def tab_selected(
    who: Who, t: str, seq_key: str, current_tab: int, target_tab: int, tab_count: int, page: str
) -> Event:
    """A unit tab of the sequence was clicked directly."""
    payload = (
        f'{{"current_tab": {current_tab}, "id": "{seq_key}", "tab_count": {tab_count}, '
        f'"target_tab": {target_tab}, "widget_placement": "top"}}'
    )
    return browser_event(who, "edx.ui.lms.sequence.tab_selected", t, payload, page, page)
