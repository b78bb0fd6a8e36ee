"""Audio: speech, chime and outro assembled into loudness-normalized WAV in ``audio_cache/``.

Public API (import from the submodules):

- ``broadcast.audio.manifest.AudioManifest.load(paths).entry(script_id)`` -> ``ManifestEntry``
  with ``.path``, ``.duration_seconds``, ``.engine``, ``.voice``, ``.audio_hash`` (planner,
  playback daemon);
- ``broadcast.audio.batch.render_all`` / ``render_script`` / ``render_text`` (render stage).
"""
