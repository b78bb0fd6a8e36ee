"""loa-phuong: a ward's loudspeaker broadcasts, from Vietnamese scripts to logged air time.

The package reads like the pipeline: scripts -> textnorm -> tts -> audio -> schedule ->
daemon -> sinks -> playlog -> report. ``cli`` only parses arguments and calls these stages;
``docs/architecture.md`` gives the import direction that ``tests/test_architecture.py`` keeps.
"""

__version__ = "0.1.0"
