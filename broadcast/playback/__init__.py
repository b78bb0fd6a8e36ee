"""Playback: sound on the station's outputs (default device for previews, zones for the daemon)."""
