"""Video player events (browser): load, play, pause, seek, stop, complete, speed, transcripts, captions.

The web player adds `id`, `code` (YouTube id or "html5") and `duration` to every payload. Players
that use the newer names (`edx.video.played` ...) are modelled with `new_names=True`; their seek
event `edx.video.position.changed` carries `currentTime` and `new_time` as in the real fixture.
Payload text is built by hand (same bytes as `json.dumps`) because these are the most frequent
events of a site.
"""

from __future__ import annotations

from dataclasses import dataclass

from learnlake.synth.events.common import Event, Who, browser_event

LEGACY = {
    "load": "load_video",
    "play": "play_video",
    "pause": "pause_video",
    "stop": "stop_video",
    "complete": "complete_video",
    "seek": "seek_video",
    "show_transcript": "show_transcript",
    "hide_transcript": "hide_transcript",
}
NEW = {
    "load": "edx.video.loaded",
    "play": "edx.video.played",
    "pause": "edx.video.paused",
    "stop": "edx.video.stopped",
    "complete": "edx.video.completed",
    "seek": "edx.video.position.changed",
    "show_transcript": "edx.video.transcript.shown",
    "hide_transcript": "edx.video.transcript.hidden",
}


@dataclass(slots=True)
class VideoRef:
    """Static facts of one video block, with the common payload prefix precomputed."""

    usage_key: str
    block_id: str  # the part after "block@"
    code: str
    duration: float
    page: str  # the vertical's xblock URL (page and referer of player events)
    head: str = ""  # '{"id": "...", "code": "...", "duration": N'

    def __post_init__(self) -> None:
        dur = int(self.duration) if float(self.duration).is_integer() else self.duration
        self.head = f'{{"id": "{self.block_id}", "code": "{self.code}", "duration": {dur}'


def _ev(who: Who, name: str, t: str, v: VideoRef, tail: str) -> Event:
    return browser_event(who, name, t, v.head + tail, v.page, v.page)


def load(who: Who, t: str, v: VideoRef, new_names: bool = False) -> Event:
    """The player finished loading the video."""
    return _ev(who, (NEW if new_names else LEGACY)["load"], t, v, "}")


def play(who: Who, t: str, v: VideoRef, at: float, new_names: bool = False) -> Event:
    """Playback started at `at` seconds."""
    return _ev(who, (NEW if new_names else LEGACY)["play"], t, v, f', "currentTime": {at}}}')


def pause(who: Who, t: str, v: VideoRef, at: float, new_names: bool = False) -> Event:
    """Playback paused at `at` seconds."""
    return _ev(who, (NEW if new_names else LEGACY)["pause"], t, v, f', "currentTime": {at}}}')


def stop(who: Who, t: str, v: VideoRef, at: float, new_names: bool = False) -> Event:
    """Playback reached the end (or the player was stopped)."""
    return _ev(who, (NEW if new_names else LEGACY)["stop"], t, v, f', "currentTime": {at}}}')


def complete(who: Who, t: str, v: VideoRef, new_names: bool = False) -> Event:
    """The video counts as watched (the completion threshold was crossed)."""
    return _ev(who, (NEW if new_names else LEGACY)["complete"], t, v, "}")


def seek(who: Who, t: str, v: VideoRef, old: float, new: float, new_names: bool = False) -> Event:
    """The learner dragged the slider from `old` to `new` seconds."""
    if new_names:
        return _ev(who, NEW["seek"], t, v, f', "currentTime": {old}, "new_time": {new}}}')
    return _ev(who, LEGACY["seek"], t, v, f', "old_time": {old}, "new_time": {new}, "type": "onSlideSeek"}}')


def speed_change(who: Who, t: str, v: VideoRef, at: float, old_speed: str, new_speed: str) -> Event:
    """Playback speed changed (speeds are strings such as "1.0", "1.50")."""
    tail = f', "current_time": {at}, "old_speed": "{old_speed}", "new_speed": "{new_speed}"}}'
    return _ev(who, "speed_change_video", t, v, tail)


def transcript(who: Who, t: str, v: VideoRef, at: float, shown: bool, new_names: bool = False) -> Event:
    """The transcript panel was shown or hidden."""
    names = NEW if new_names else LEGACY
    name = names["show_transcript"] if shown else names["hide_transcript"]
    return _ev(who, name, t, v, f', "current_time": {at}}}')


def captions(who: Who, t: str, v: VideoRef, at: float, shown: bool) -> Event:
    """Closed captions were turned on or off."""
    name = "edx.video.closed_captions.shown" if shown else "edx.video.closed_captions.hidden"
    return _ev(who, name, t, v, f', "current_time": {at}}}')


def cc_menu(who: Who, t: str, v: VideoRef, at: float, shown: bool) -> Event:
    """The captions language menu was opened or closed."""
    name = "video_show_cc_menu" if shown else "video_hide_cc_menu"
    return _ev(who, name, t, v, f', "current_time": {at}}}')
