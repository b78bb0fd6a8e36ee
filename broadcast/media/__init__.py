"""Media: the bottom layer every stage may use — running ffmpeg, writing files atomically.

It imports nothing from the rest of the package, so the drop folder (recordings), the speech
engines (gTTS's MP3) and the audio stage can all decode without depending on each other.
"""
