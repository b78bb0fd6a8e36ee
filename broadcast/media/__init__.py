"""Media: the bottom layer every stage may use — ffmpeg, and files written atomically.

- ``broadcast.media.ffmpeg``: the one place that finds ffmpeg and runs it, always with a
  time-out (decoding, measuring a recording, MP3 export);
- ``broadcast.media.files.atomic_write``: a file appears whole or not at all.

It imports nothing from the rest of the package, so the drop folder (recordings), the speech
engines (gTTS's MP3), the audio stage and the daemon can all use it without depending on each
other.
"""
