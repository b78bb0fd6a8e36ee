"""Sinks: where sound leaves the program.

``AudioSink`` (``protocol.py``) plays one program's mono audio on a set of zones and answers how
healthy each zone's output is. Implementations: ``SoundDeviceSink`` (PortAudio, the ward's sound
cards), ``FileSink`` (WAV files: dry runs, tests, PCs without a card) and ``FallbackSink``, itself
a sink, made of two (a zone whose device is missing goes to the second). Nothing here decides
what plays when: that is ``broadcast.daemon``.
"""
