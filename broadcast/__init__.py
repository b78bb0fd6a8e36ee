"""loa-phuong: a ward's loudspeaker broadcasts, from Vietnamese scripts to logged air time.

The package reads like the pipeline: scripts -> textnorm -> tts -> audio -> schedule ->
playback -> playlog -> report. ``cli`` only parses arguments and calls these stages.
"""

__version__ = "0.1.0"
